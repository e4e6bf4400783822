"""Background jobs: long work run outside the request, with progress a person can watch (ADR 0003)."""
