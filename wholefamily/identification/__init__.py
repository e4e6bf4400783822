"""Identification (ADR 0005): which families meet a programme's criteria as of a date, why, and where need is."""
