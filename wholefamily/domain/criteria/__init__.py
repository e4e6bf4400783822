"""Programme criteria as data: definition schema and loader, window arithmetic, and SQL generation (pure)."""
