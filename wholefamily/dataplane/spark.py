"""The one way to get a Spark session, so that every part of the data plane gets the same one.

A JVM holds one Spark session per process and `getOrCreate()` returns the first one made, ignoring the
jars of later builders. So Splink's similarity functions (JARO_WINKLER and friends) must be on the
classpath of whichever part starts Spark first: linkage, identification or outcomes.
"""

from __future__ import annotations

import os
from typing import Any


def spark_session(*, app_name: str, master: str | None = None, conf: dict[str, str] | None = None) -> Any:
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    partitions = os.environ.get("WHOLEFAMILY_SPARK_PARTITIONS", "2")
    builder = (
        SparkSession.builder.master(master or os.environ.get("WHOLEFAMILY_SPARK_MASTER", "local[2]"))
        .appName(app_name)
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", partitions)
        .config("spark.default.parallelism", partitions)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", os.environ.get("WHOLEFAMILY_SPARK_DRIVER_MEMORY", "2g"))
    )
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
