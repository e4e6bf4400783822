"""The case pages. HTTP concerns only: reads through selectors and access, writes through services."""
