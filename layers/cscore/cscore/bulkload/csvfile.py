"""CSV files of the Bulk API, read as a stream of rows with the byte offset after each.

A file is UTF-8 (with or without a byte-order mark), with CRLF or LF line ends, fields
quoted the RFC 4180 way (commas, quotes and newlines inside quotes), and a header row.
Empty lines (a trailing newline, or several) carry no row.

Rows come with the offset just past them, so that a reader can stop after any row and a
later one can start there with a ranged read (``rows(chunks, start=offset)``) — the file
is never held whole in memory. ``csv.reader`` pulls one physical line at a time and
never reads ahead of the row it returns, so the bytes consumed when a row comes out are
exactly the bytes of that row. UTF-8 never uses the byte 0x0A inside a multi-byte
character, so lines can be split on bytes before they are decoded.

``check`` reads a whole file once (header, encoding, structure, row count) so that a
file that is not CSV is refused before anything is written.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

BOM = b"\xef\xbb\xbf"
MAX_FIELD = 131_072  # characters in one cell; csv's own default limit, stated here


class NotCsv(ValueError):
    """The file is not a CSV file this API reads; the message says where and why."""


@dataclass(frozen=True)
class Row:
    number: int  # 1 = the first row after the header
    line: int  # physical line (1-based) where the row starts, for messages
    cells: list[str]
    end: int  # byte offset just past the row
    next_line: int  # physical line where the next row starts


def _split(chunks: Iterable[bytes], start: int) -> Iterator[tuple[bytes, int]]:
    """Lines split on LF only (a CR inside a quoted cell stays in it)."""
    offset = start
    rest = b""
    for chunk in chunks:
        rest += chunk
        while True:
            cut = rest.find(b"\n")
            if cut < 0:
                break
            line, rest = rest[: cut + 1], rest[cut + 1 :]
            offset += len(line)
            yield line, offset
    if rest:
        offset += len(rest)
        yield rest, offset


class _Decoded:
    """The text lines ``csv.reader`` pulls, remembering the byte offset and line number
    of the last one it took."""

    def __init__(self, lines: Iterator[tuple[bytes, int]], first_line: int, strip_bom: bool) -> None:
        self._lines = lines
        self.offset = 0
        self.line = first_line - 1
        self._strip_bom = strip_bom

    def __iter__(self) -> _Decoded:
        return self

    def __next__(self) -> str:
        raw, self.offset = next(self._lines)
        self.line += 1
        if self._strip_bom:
            self._strip_bom = False
            if raw.startswith(BOM):
                raw = raw[len(BOM) :]
        if b"\x00" in raw:
            raise NotCsv(f"line {self.line}: a NUL byte — this is a binary file, not CSV")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise NotCsv(f"line {self.line}: not UTF-8 text (save the file as CSV UTF-8)") from None


def rows(chunks: Iterable[bytes], start: int = 0, first_row: int = 1, first_line: int = 1) -> Iterator[Row]:
    """The rows of the file from byte ``start`` (0: the header row comes first, as row 0).
    Raises NotCsv on text that is not CSV (an unterminated quote, bad UTF-8, binary)."""
    lines = _Decoded(_split(chunks, start), first_line, strip_bom=start == 0)
    reader = csv.reader(lines, strict=True)
    number = first_row - 1 if start else -1
    while True:
        begin = lines.line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise NotCsv(f"line {lines.line}: {exc}") from None
        if not cells or (len(cells) == 1 and cells[0] == ""):
            continue  # an empty line
        if any(len(c) > MAX_FIELD for c in cells):
            raise NotCsv(f"line {begin}: a cell longer than {MAX_FIELD} characters")
        number += 1
        yield Row(number, begin, cells, lines.offset, lines.line + 1)


@dataclass(frozen=True)
class Shape:
    """What ``check`` learnt of a file."""

    header: list[str]
    rows: int
    header_end: int  # byte offset just past the header row
    next_line: int  # physical line where the first row starts


def header_of(cells: list[str]) -> list[str]:
    """The column names of a header row; NotCsv when it cannot be one."""
    names = [c.strip() for c in cells]
    if not any(names):
        raise NotCsv("the first row is empty: the file needs a header row naming its columns")
    blank = [i + 1 for i, n in enumerate(names) if not n]
    if blank:
        raise NotCsv(f"header row: column {blank[0]} has no name")
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            raise NotCsv(f"header row: column {name!r} appears twice")
        seen.add(name.lower())
    return names


def check(chunks: Iterable[bytes]) -> Shape:
    """Read a whole file: its header and how many rows follow. NotCsv when it is empty,
    has no header row, or is not CSV text."""
    it = rows(chunks)
    try:
        first = next(it)
    except StopIteration:
        raise NotCsv("the file is empty: it needs a header row and at least one row") from None
    header = header_of(first.cells)
    count = 0
    for _ in it:
        count += 1
    return Shape(header, count, first.end, first.next_line)


def split_bytes(data: bytes, size: int = 65_536) -> Iterator[bytes]:
    """A bytes object as chunks (the same reader serves in-memory and S3 files)."""
    for start in range(0, len(data), size):
        yield data[start : start + size]
