"""The one writer of every CSV file the product hands out (a sync run's errors, a bulk
import's errors file): cells a spreadsheet opens as text, never as a formula.

The cells echo what others typed (Salesforce rows, the columns of an uploaded file). A
spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and
one starting with a tab or a carriage return after trimming it), so a value such as
``=HYPERLINK("http://evil","Click")`` would act in the reader's spreadsheet. OWASP's rule
(CSV Injection) is applied to every cell, the header too: a cell starting with one of
those six characters gets a single quote in front (``'=HYPERLINK(...)``), which a
spreadsheet shows as text. The value is intact behind that first character; a program
reading the file back strips one leading quote from such a cell. Numbers are cells like
any other: a negative number reads ``'-5``.

Quotes, commas and line breaks inside a cell are quoted by the ``csv`` module (RFC 4180);
lines end with CRLF; text is UTF-8, without a byte order mark.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """A value as a cell: None empty, booleans ``true``/``false``, anything else its text,
    with a single quote in front when a spreadsheet would run it (module doc)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows of values as CSV text, every cell through ``cell``."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """``csv_text`` encoded as UTF-8."""
    return csv_text(rows).encode("utf-8")
