"""Export files: written atomically (all or nothing), with checksums and a manifest."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from ..errors import make_folder
from ..warehouse import plain_value


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """write(temporary path) in the target folder, fsync, then rename over `path`: readers see all or nothing."""
    make_folder(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def write_rows(path: Path, fmt: str, names: list[str], rows: list[tuple]) -> None:
    if fmt == "csv":
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(names)
            for row in rows:
                writer.writerow(["" if value is None else _csv_text(value) for value in row])
    elif fmt == "jsonl":
        with open(path, "w", encoding="utf-8") as handle:
            for row in rows:
                record = {name: plain_value(value) for name, value in zip(names, row, strict=True)}
                handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    else:
        # pyarrow only here: importing it costs every other command's start-up
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = {name: [row[index] for row in rows] for index, name in enumerate(names)}
        pq.write_table(pa.table(columns), path)


def _csv_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    plain = plain_value(value)
    return str(plain)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(path: Path, manifest: dict) -> None:
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    atomic_write(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))
