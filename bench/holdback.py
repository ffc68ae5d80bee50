"""Holding back late records: a generated data set split in two deliveries, for testing incremental identity builds
(tests/python/test_identity_incremental.py; `make bench` measures one generated day instead, a realistic delivery).

The split is by record key: every delivery of a late key goes to the late part, so no record is delivered by both
parts (the late part holds new records only, not corrections). Catalogue sources and lines that do not parse stay
in the early part.
"""

from __future__ import annotations

import csv
import json
import shutil
import zlib
from pathlib import Path

import pyarrow.parquet as pq

from cdp_runner.ingest.contracts import source_for_file

NOT_HELD_BACK = {"products", "stores"}


def is_late(key: object, share: int) -> bool:
    """True for about one key in `share`, the same keys on every run."""
    return key is not None and zlib.crc32(str(key).encode()) % share == 0


def hold_back(data: Path, early: Path, late: Path, share: int = 100) -> int:
    """Copies the top-level files of `data` into `early`, less the records of about one key in `share`, which go
    to `late` as <file stem>_late_part.<ext> (same source). Returns the number of late records."""
    early.mkdir(parents=True)
    late.mkdir(parents=True)
    moved = 0
    for path in sorted(p for p in data.iterdir() if p.is_file()):
        source = source_for_file(path.name)
        if source is None or source.name in NOT_HELD_BACK:
            shutil.copy(path, early / path.name)
            continue
        late_path = late / f"{path.stem}_late_part{path.suffix}"
        if path.suffix == ".parquet":
            moved += _split_parquet(path, source.key, early / path.name, late_path, share)
        else:
            moved += _split_lines(path, source.key, early / path.name, late_path, share)
    return moved


def _split_parquet(path: Path, key: str, early: Path, late: Path, share: int) -> int:
    table = pq.read_table(path)
    mask = [is_late(value, share) for value in table.column(key).to_pylist()]
    pq.write_table(table.filter([not flag for flag in mask]), early)
    if any(mask):
        pq.write_table(table.filter(mask), late)
    return sum(mask)


def _split_lines(path: Path, key: str, early: Path, late: Path, share: int) -> int:
    """CSV (one record per line, as the generator writes them) or JSON lines."""
    is_csv = path.suffix == ".csv"
    with path.open(newline="") as lines, early.open("w", newline="") as kept, late.open("w", newline="") as held:
        header = next(lines, "") if is_csv else ""
        key_index = next(csv.reader([header])).index(key) if is_csv else None
        kept.write(header)
        held.write(header)
        moved = 0
        for line in lines:
            try:
                value = next(csv.reader([line]))[key_index] if key_index is not None else json.loads(line).get(key)
            except (ValueError, IndexError, AttributeError, StopIteration):
                value = None  # a malformed line stays early, where the loader quarantines it
            if is_late(value, share):
                held.write(line)
                moved += 1
            else:
                kept.write(line)
    if moved == 0:
        late.unlink()
    return moved
