"""Delivered files: which files a path names, the source and format of each, and each file's fingerprint."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import UserError
from .contracts import FORMATS, SOURCES_BY_NAME, Source, format_for_file, source_for_file

HASH_CHUNK_BYTES = 8 << 20


@dataclass(frozen=True)
class DeliveredFile:
    path: Path
    source: Source
    format: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name

    def problem(self, message: str) -> UserError:
        return UserError(f"{self.name}: {message}")


@dataclass(frozen=True)
class SkippedFile:
    """A file of a folder that is not data by its extension (a README, a log): skipped, and said so."""

    name: str
    reason: str


def files_in(path: Path) -> tuple[list[Path], list[SkippedFile]]:
    """The file, or a folder's top-level files in name order, and the folder's files that are not data.

    Subfolders (like _truth/) and hidden files are skipped silently; a file whose extension is no data format is
    skipped with a note. Anything else that is not a readable file (a link to a missing file, a socket) is kept, so
    that identify() refuses it by name."""
    if path.is_dir():
        files, skipped = [], []
        for entry in sorted(path.iterdir(), key=lambda entry: entry.name):
            if entry.name.startswith(".") or entry.is_dir():
                continue
            if format_for_file(entry.name) is None:
                skipped.append(SkippedFile(entry.name, f"not a data file (data files end in {', '.join(FORMATS)})"))
            else:
                files.append(entry)
        if not files:
            noted = f"; skipped: {', '.join(file.name for file in skipped)}" if skipped else ""
            raise UserError(f"{path}: no files to load (subdirectories and hidden files are skipped{noted})")
        return files, skipped
    if path.is_symlink() and not path.exists():
        raise UserError(f"{path}: a symbolic link to a missing file ({os.readlink(path)})")
    if not path.is_file():
        raise UserError(f"{path}: no such file or directory" if not path.exists() else f"{path}: not a regular file")
    return [path], []


def source_named(name: str) -> Source:
    if name not in SOURCES_BY_NAME:
        raise UserError(f"unknown source {name!r} (sources: {', '.join(SOURCES_BY_NAME)})")
    return SOURCES_BY_NAME[name]


def identify(path: Path, forced: Source | None) -> DeliveredFile:
    """The file with its source (`forced`, else the one its name says) and its format (from its extension)."""
    source = forced or source_for_file(path.name)
    if source is None:
        raise UserError(
            f"{path.name}: cannot tell the source from the file name; name it <source>[_anything].<ext> "
            f"or give the source (sources: {', '.join(SOURCES_BY_NAME)})"
        )
    file_format = format_for_file(path.name)
    if file_format is None:
        raise UserError(f"{path.name}: unsupported file type (expected {', '.join(FORMATS)})")
    if path.is_symlink() and not path.exists():
        raise UserError(f"{path.name}: a symbolic link to a missing file ({os.readlink(path)})")
    if not path.is_file():
        raise UserError(f"{path.name}: not a regular file")
    try:
        size = path.stat().st_size
    except OSError as error:
        raise UserError(f"{path.name}: cannot read it: {error.strerror or error}") from None
    return DeliveredFile(path=path.absolute(), source=source, format=file_format, size=size)


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    lines: int  # physical lines, counting a last line without a line break
    trailing_blank_lines: int  # blank lines at the very end (as far as the last chunk read shows)
    binary: bool  # has NUL bytes
    mixed_line_ends: bool  # has CRLF and bare LF line ends (inside or outside quoted values)
    bare_carriage_returns: bool = False  # has a CR that is not followed by LF

    def why_unreadable(self) -> str | None:
        """A likely reason why DuckDB's reader gave up on the file, in the user's terms."""
        if self.binary:
            return BINARY_CONTENT
        if self.mixed_line_ends:
            return "some lines end in CRLF and others in LF; convert the file to one kind of line end"
        if self.bare_carriage_returns:
            return f"a {CARRIAGE_RETURN}"
        return None


BINARY_CONTENT = "binary content (NUL bytes), not a text file"
CARRIAGE_RETURN = "carriage return (CR) that does not end a line (line ends are LF or CRLF)"


def fingerprint_file(path: Path) -> Fingerprint:
    """Hash the file in chunks, counting line breaks on the way: one read of the file. Line feeds are counted by numpy
    (twice as fast as bytes.count); carriage returns only in chunks that have one (a search at memchr speed)."""
    digest = hashlib.sha256()
    newlines = crlfs = carriage_returns = 0
    binary = False
    last = b""
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(HASH_CHUNK_BYTES):
                digest.update(chunk)
                newlines += int(np.count_nonzero(np.frombuffer(chunk, dtype=np.uint8) == ord("\n")))
                if b"\r" in chunk or last.endswith(b"\r"):
                    carriage_returns += chunk.count(b"\r")
                    crlfs += chunk.count(b"\r\n") + (last.endswith(b"\r") and chunk.startswith(b"\n"))
                binary = binary or b"\0" in chunk
                last = chunk
    except OSError as error:
        raise UserError(f"{path.name}: cannot read it: {error.strerror or error}") from None
    ending = last[len(last.rstrip(b"\r\n")) :]
    return Fingerprint(
        sha256=digest.hexdigest(),
        lines=newlines + (1 if last and not last.endswith(b"\n") else 0),
        trailing_blank_lines=max(ending.count(b"\n") - 1, 0),
        binary=binary,
        mixed_line_ends=0 < crlfs < newlines,
        bare_carriage_returns=carriage_returns > crlfs,
    )
