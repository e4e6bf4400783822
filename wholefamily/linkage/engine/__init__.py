"""The linkage engine: Splink on DuckDB (or Spark) over Parquet, without Django.

`run.link_datasets` reads dataset versions' Parquet and writes a linked snapshot (ADR 0004); the Django app
around it records runs, publishes persons and households and keeps reviewers' decisions.
"""
