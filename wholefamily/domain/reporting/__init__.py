"""Pure rules of the reporting: small numbers, quarters, report card measures, service monitoring, chart geometry."""
