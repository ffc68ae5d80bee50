"""Records DuckDB's CSV reader cannot resynchronise after: found line by line, and set apart in a copy of the file.

DuckDB's reader follows a quote to its end wherever that is. A quote that is never closed (`S2,"Two,Leeds`), or
closed where no field ends, makes the reader take every following line into one broken record, up to the end of the
file: records vanish into one quarantined row, and the loader's own count (Python's csv module reads quotes the same
way) agrees. A carriage return that ends no line, outside quotes, stops the reader altogether.

So when the reader reports a rejected record spanning lines, or gives up on a file with such carriage returns, the
loader scans the file here, with the reader's rules (a field that starts with `"` is quoted to the next `"` not
doubled; a closing quote must be followed by `,` or the line end; quotes inside an unquoted field are text), and
resynchronises: a record that spans lines and is broken (bad quoting, wrong field count, or longer than the limit) is
taken to be its first line only, and the following lines are read again as records. The lines found broken are
replaced, in a copy of the file, by a line the reader rejects as a record of its own; the loader reads the copy and
keeps the original text and the reason for those records (`Repair.records`). Every other byte of the copy is the
file's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MALFORMED_QUOTING = "malformed quoting"
BARE_CARRIAGE_RETURN = "carriage return (CR) outside quotes that does not end the line"


@dataclass
class Repair:
    """What the scan found: the copy to read instead of the file, and the records set apart in it by unit."""

    path: Path
    records: dict[int, tuple[str, str]] = field(default_factory=dict)  # unit -> (parse error, original text)


@dataclass
class _Record:
    lines: list[tuple[int, bytes]]  # (physical line index after the header, the line with its line end)
    fields: int = 1
    surplus_values: bool = False  # a field beyond the header's width holds a value
    problem: str | None = None


def _content(line: bytes) -> bytes:
    """The line without its line end."""
    if line.endswith(b"\r\n"):
        return line[:-2]
    return line[:-1] if line.endswith(b"\n") else line


class _Lines:
    """The file's lines after the header, numbered, with lines put back to be read again."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self._index = 0
        self._pending: list[tuple[int, bytes]] = []

    def next(self) -> tuple[int, bytes] | None:
        if self._pending:
            return self._pending.pop()
        line = self._stream.readline()
        if not line:
            return None
        self._index += 1
        return self._index - 1, line

    def put_back(self, lines: list[tuple[int, bytes]]) -> None:
        self._pending.extend(reversed(lines))


def _read_record(first: tuple[int, bytes], lines: _Lines, width: int, max_bytes: int) -> _Record:
    """One record from its first line, with the reader's rules; more lines while a quoted value is open."""
    record = _Record(lines=[first])
    buffer = bytearray(first[1])
    position = 0
    while True:  # at the start of a field
        if record.fields > width and buffer[position : position + 1] not in (b",", b"\n", b"\r", b""):
            record.surplus_values = True
        if buffer[position : position + 1] == b'"':
            position += 1
            while True:
                quote = buffer.find(b'"', position)
                if quote != -1 and buffer[quote + 1 : quote + 2] == b'"':
                    position = quote + 2
                    continue
                if quote != -1:
                    position = quote + 1
                    break
                following = lines.next() if len(buffer) <= max_bytes else None
                if following is None:
                    record.problem = MALFORMED_QUOTING  # never closed (or longer than a record may be)
                    return record
                record.lines.append(following)
                buffer += following[1]
            rest = bytes(buffer[position:])
            if rest.startswith(b","):
                position += 1
                record.fields += 1
                continue
            if rest not in (b"", b"\n", b"\r\n"):
                record.problem = MALFORMED_QUOTING  # text after the closing quote
            return record
        end = len(buffer) - (2 if buffer.endswith(b"\r\n") else 1 if buffer.endswith(b"\n") else 0)
        comma = buffer.find(b",", position, end)
        stop = end if comma == -1 else comma
        if b"\r" in buffer[position:stop]:
            record.problem = BARE_CARRIAGE_RETURN
            return record
        if comma == -1:
            return record
        position = comma + 1
        record.fields += 1


def _scan(path: Path, width: int, max_bytes: int) -> dict[int, tuple[int, str, str]]:
    """{physical line index: (unit, parse error, text)} of the lines to set apart."""
    found: dict[int, tuple[int, str, str]] = {}
    unit = 0
    with path.open("rb") as stream:
        stream.readline()  # the header: one line, as the loader reads it
        lines = _Lines(stream)
        while (first := lines.next()) is not None:
            unit += 1
            content = _content(first[1])
            if not content or (b'"' not in content and b"\r" not in content):
                continue  # a blank line, or a line the reader splits as it is
            record = _read_record(first, lines, width, max_bytes)
            wrong_count = record.fields < width or (record.fields > width and record.surplus_values)
            if len(record.lines) > 1 and (record.problem or wrong_count):
                index, line = record.lines[0]
                found[index] = (unit, MALFORMED_QUOTING, _text(line))
                lines.put_back(record.lines[1:])
            elif record.problem == BARE_CARRIAGE_RETURN:
                found[first[0]] = (unit, BARE_CARRIAGE_RETURN, _text(first[1]))
    return found


def _text(line: bytes) -> str:
    return _content(line).decode("utf-8", errors="replace")


def _lines_of(path: Path) -> Iterator[bytes]:
    with path.open("rb") as stream:
        yield from stream


def repair_csv(path: Path, width: int, into: Path, *, max_bytes: int) -> Repair | None:
    """Scan `path` (a CSV file whose header has `width` fields); None when no record needs setting apart, else the
    copy (`into`/<file name>) and the records set apart in it."""
    found = _scan(path, width, max_bytes)
    if not found:
        return None
    into.mkdir(parents=True, exist_ok=True)
    copy = into / path.name
    placeholder = b",".join([b"x"] * (width + 1))
    with copy.open("wb") as out:
        lines = _lines_of(path)
        out.write(next(lines, b""))
        for index, line in enumerate(lines):
            if index in found:
                line = placeholder + line[len(_content(line)) :]
            out.write(line)
    return Repair(path=copy, records={unit: (problem, text) for unit, problem, text in found.values()})
