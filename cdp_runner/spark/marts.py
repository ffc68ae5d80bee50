"""The marts of a Spark warehouse, read through a Spark session: which exist, a figure, each table as Parquet."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any


class SparkMarts:
    def __init__(self, spark: Any) -> None:
        self.spark = spark
        # instants as such (Parquet's INT96 default is a legacy encoding other readers guess at)
        spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        self.built = {row.tableName for row in spark.sql("show tables in marts").collect() if not row.isTemporary}

    def scalar(self, sql: str):
        rows = self.spark.sql(sql).collect()
        return rows[0][0] if rows else None

    def parquet_writer(self, table: str) -> Callable[[Path], object]:
        """A writer of the table as one Parquet file (Spark writes a folder of parts: one part, moved out)."""

        def write(path: Path) -> None:
            scratch = path.with_name(f".{path.name}.parts")
            self.spark.table(table).coalesce(1).write.mode("overwrite").parquet(str(scratch))
            try:
                (part,) = scratch.glob("part-*.parquet")
                part.replace(path)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)

        return write
