"""The identification engine: runs a programme's generated SQL over a linked snapshot on DuckDB or Spark.

Does not import Django (an import-linter contract keeps it so); reads Parquet and returns Arrow tables.
"""
