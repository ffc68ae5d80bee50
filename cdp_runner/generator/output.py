"""Writing the generated records as source files, the way flawed exports deliver them.

`deliver` damages a few values and lines, re-delivers some rows and holds back late web
events; the sinks serialise Arrow tables to CSV, JSON lines or Parquet. All randomness comes
from the generator's streams, so the files stay a pure function of the inputs.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..ingest.contracts import Source
from . import text as tx
from .block import Records
from .world import World

ROW_GROUP_ROWS = 1_000_000
BAD_DATES = ("2025-13-45", "yesterday", "31/02/2024", "0000-00-00 00:00:00", "not a date", "2024-02-30T25:61:00")
BAD_NUMBERS = ("12,50", "abc", "£12.50", "1.234,56", "NaN", "--")
# Events are re-delivered more often than orders, orders more often than other records.
EVENT_SOURCES = ("web_events", "app_events", "email_events", "messaging_sends", "qr_scans")
ORDER_SOURCES = ("shop_orders", "pos_transactions")
TRUTH_SCHEMA = pa.schema([("source_name", pa.string()), ("record_key", pa.string()), ("person_id", pa.string())])


def arrow_schema(source: Source) -> pa.Schema:
    """All columns are text, except typed timestamps in Parquet exports."""
    return pa.schema(
        [
            (
                c.name,
                pa.timestamp("ms", tz="UTC")
                if source.default_format == "parquet" and c.type == "timestamp"
                else pa.string(),
            )
            for c in source.columns
        ]
    )


class TextSink:
    """CSV (with a header line) or JSON lines, appended part by part."""

    def __init__(self, path: Path, source: Source):
        self.format = "jsonl" if path.suffix == ".jsonl" else "csv"
        self.file = open(path, "wb")
        self.rows = 0
        if self.format == "csv":
            self.file.write((",".join(source.column_names) + "\n").encode())

    def write(self, table: pa.Table, broken: dict[int, str] | None = None) -> None:
        """Append rows; `broken` maps row numbers of this part to the damage done to their line."""
        lines = tx.json_lines(table) if self.format == "jsonl" else tx.csv_lines(table)
        if broken:
            rows = np.array(sorted(broken))
            mask = np.zeros(len(lines), dtype=bool)
            mask[rows] = True
            damaged = [
                _damage(line, broken[row], self.format)
                for row, line in zip(rows.tolist(), pc.take(lines, pa.array(rows)).to_pylist(), strict=True)
            ]
            lines = tx.replace_rows(lines, mask, damaged)
        self.file.write(tx.text_bytes(lines))
        self.rows += table.num_rows

    def close(self) -> None:
        self.file.close()


def _damage(line: str, damage: str, file_format: str) -> str:
    """A line as a faulty export leaves it: JSON cut short, or a CSV field too many or too few."""
    body = line[:-1]
    if file_format == "jsonl":
        return body[: int(damage)] + "\n"
    if damage == "missing":
        return body.rsplit(",", 1)[0] + "\n"
    return body + "," + damage + "\n"


class ParquetSink:
    """Parquet in row groups of a fixed size, whatever the parts' sizes."""

    def __init__(self, path: Path, schema: pa.Schema):
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.rows = 0

    def write(self, table: pa.Table, broken=None) -> None:
        self.pending.append(table)
        self.pending_rows += table.num_rows
        self.rows += table.num_rows
        while self.pending_rows >= ROW_GROUP_ROWS:
            self._flush(ROW_GROUP_ROWS)

    def _flush(self, rows: int) -> None:
        table = pa.concat_tables(self.pending)
        self.writer.write_table(table.slice(0, rows), row_group_size=rows)
        rest = table.slice(rows)
        self.pending, self.pending_rows = [rest], rest.num_rows

    def close(self) -> None:
        if self.pending_rows:
            self._flush(self.pending_rows)
        self.writer.close()


class BackgroundWriter:
    """Runs writes in one background thread, in submission order.

    Serialising and writing a block (Arrow kernels and file I/O release the GIL) overlaps
    with simulating the next one; the bounded queue keeps at most a few blocks in memory.
    """

    def __init__(self, depth: int = 48):
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="cdp-generate-writer", daemon=True)
        self._thread.start()

    def submit(self, write, *args) -> None:
        if self._error:
            raise self._error
        self._queue.put((write, args))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is None:
                try:
                    item[0](*item[1])
                except BaseException as error:  # re-raised in the generating thread
                    self._error = error

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error:
            raise self._error


# --- messiness of deliveries ---------------------------------------------------------------------


@dataclass
class Delivery:
    table: pa.Table
    broken: dict[int, str]
    late: pa.Table | None
    truth: pa.Table


def _duplicate_share(source: Source, world: World) -> float:
    shares = world.params.messiness.duplicate_delivery_share
    if not source.has_person:
        return shares["other"] if source.name.endswith("lines") else 0.0
    return (
        shares["events"]
        if source.name in EVENT_SOURCES
        else shares["orders"]
        if source.name in ORDER_SOURCES
        else shares["other"]
    )


def deliver(source: Source, records: Records, rng: np.random.Generator, world: World) -> Delivery:
    """The records as a flawed export delivers them: a few malformed values and lines, some
    rows delivered twice, late web events in their own file. Ground truth is taken after the
    values are damaged (a record without a key has no truth row) and before re-deliveries."""
    params = world.params
    messiness = params.messiness
    columns = dict(records.columns)
    n = len(records)
    malformed = rng.random(n) < messiness.malformed_share
    structural = source.default_format != "parquet"
    date_columns = [c.name for c in source.columns if c.type in ("timestamp", "date")]
    number_columns = [c.name for c in source.columns if c.type in ("decimal", "integer")]
    # The kinds of damage that fit the source, equally likely.
    kinds = (
        ["bad_date"] * bool(date_columns)
        + ["bad_number"] * bool(number_columns)
        + ["missing_key"]
        + ["broken_line"] * structural
    )
    kind = rng.integers(0, len(kinds), n)
    for name, choices, values in (("bad_date", date_columns, BAD_DATES), ("bad_number", number_columns, BAD_NUMBERS)):
        if name not in kinds:
            continue
        rows = np.flatnonzero(malformed & (kind == kinds.index(name)))
        column = rng.integers(0, len(choices), len(rows))
        picked = rng.integers(0, len(values), len(rows))
        for index, target in enumerate(choices):
            mask = np.zeros(n, dtype=bool)
            mask[rows[column == index]] = True
            if not mask.any():
                continue
            if pa.types.is_timestamp(columns[target].type):  # a device whose clock was never set
                columns[target] = tx.replace_rows(
                    columns[target],
                    mask,
                    pa.array(np.zeros(int(mask.sum()), dtype=np.int64)).cast(columns[target].type),
                )
            else:
                columns[target] = tx.replace_rows(columns[target], mask, tx.pick(values, picked[column == index]))
    missing = malformed & (kind == kinds.index("missing_key"))
    columns[source.key] = tx.replace_rows(
        columns[source.key],
        missing,
        pa.nulls(int(missing.sum()), pa.string())
        if source.default_format == "csv"
        else tx.pick(("",), np.zeros(int(missing.sum()), dtype=np.int64)),
    )
    table = pa.table(columns, schema=arrow_schema(source))

    truth = None
    if source.has_person:
        keyed = np.asarray(
            pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(table[source.key]), ""), False), dtype=bool
        )
        rows = pa.array(np.flatnonzero(keyed))
        truth = pa.table(
            {
                "source_name": tx.pick((source.name,), np.zeros(len(rows), dtype=np.int64)),
                "record_key": pc.utf8_trim_whitespace(pc.take(table[source.key], rows)).combine_chunks(),
                "person_id": person_id_text(world, records.person[np.flatnonzero(keyed)]),
            },
            schema=TRUTH_SCHEMA,
        )

    late = None
    rows = np.arange(n)
    if source.name == "web_events":
        is_late = rng.random(n) < messiness.late_web_event_share
        also_on_time = is_late & (rng.random(n) < messiness.late_also_on_time_share)
        late = table.filter(pa.array(is_late))
        rows = rows[~is_late | also_on_time]
    # Re-deliveries: the same row again, a little further down the file.
    again = rows[rng.random(len(rows)) < _duplicate_share(source, world)]
    placement = np.concatenate([rows, again + rng.uniform(0.5, 20.0, len(again))])
    positions = np.concatenate([rows, again])[np.argsort(placement, kind="stable")]
    table = table.take(pa.array(positions))
    broken = {}
    if structural:
        damaged = np.flatnonzero((malformed & (kind == kinds.index("broken_line")))[positions])
        if source.default_format == "jsonl":
            key_length = pc.utf8_length(pc.take(table[source.key], pa.array(damaged))).to_numpy(zero_copy_only=False)
            cut = len(source.key) + 6 + np.nan_to_num(key_length).astype(np.int64) + rng.integers(1, 40, len(damaged))
            broken = {int(row): str(int(at)) for row, at in zip(damaged, cut, strict=True)}
        else:
            damage = rng.choice(["missing", "", "N/A"], len(damaged))
            broken = {int(row): str(d) for row, d in zip(damaged, damage, strict=True)}
    return Delivery(table, broken, late, truth)


def person_id_text(world: World, person: np.ndarray) -> pa.Array:
    """Person ids of global person indices; bots (-1 - b) are BOT00001, BOT00002, ..."""
    ids = pc.take(world.people.person_id, pa.array(np.maximum(person, 0)))
    return tx.where(person < 0, tx.numbered("BOT", -person, 5), ids) if (person < 0).any() else ids
