"""Shared set-up of the data plane's engines (no Django here)."""
