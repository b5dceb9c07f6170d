"""CSV files of the Bulk API (SPEC §4.5(3), issue point 4): the encodings, line ends and
quoting real files have, and the files that are not CSV — pure, no I/O."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cscore.bulkload import csvfile
from cscore.bulkload.csvfile import NotCsv

HEADER = ["Company Name", "Email ID", "Deleted"]


def _cells(data: bytes, chunk: int = 7) -> list[list[str]]:
    return [row.cells for row in csvfile.rows(csvfile.split_bytes(data, chunk))]


def test_utf8_with_and_without_bom_read_the_same() -> None:
    plain = b"Company Name,Email ID,Deleted\nAcme,a@example.com,false\n"
    assert _cells(plain) == _cells(b"\xef\xbb\xbf" + plain) == [HEADER, ["Acme", "a@example.com", "false"]]
    assert csvfile.check(csvfile.split_bytes(b"\xef\xbb\xbf" + plain)).header == HEADER


def test_crlf_and_lf_line_ends_read_the_same() -> None:
    lf = b"Company Name,Email ID,Deleted\nAcme,a@example.com,\nGlobex,b@example.com,true\n"
    assert _cells(lf.replace(b"\n", b"\r\n")) == _cells(lf)
    assert _cells(lf)[2] == ["Globex", "b@example.com", "true"]


def test_quoted_fields_with_commas_quotes_and_newlines() -> None:
    data = (
        b'Company Name,Email ID,Deleted\r\n"Acme, Inc.",a@example.com,false\r\n'
        b'"Say ""hi""",b@example.com,\r\n"Two\r\nlines\nhere",c@example.com,true\r\n'
    )
    rows = _cells(data, chunk=3)
    assert rows[1] == ["Acme, Inc.", "a@example.com", "false"]
    assert rows[2] == ['Say "hi"', "b@example.com", ""]
    assert rows[3] == ["Two\r\nlines\nhere", "c@example.com", "true"]


def test_japanese_text_split_across_read_chunks() -> None:
    data = "会社名,EメールID,削除済み\n株式会社サンプル,山田@example.jp,false\n".encode()
    for chunk in (1, 2, 5, 64):  # multi-byte characters cut between chunks
        assert _cells(data, chunk) == [
            ["会社名", "EメールID", "削除済み"],
            ["株式会社サンプル", "山田@example.jp", "false"],
        ]


def test_trailing_and_inner_empty_lines_carry_no_row() -> None:
    data = b"Company Name,Email ID,Deleted\r\nAcme,a@example.com,false\r\n\r\n\nGlobex,b@example.com,\r\n\r\n\r\n"
    shape = csvfile.check(csvfile.split_bytes(data))
    assert shape.rows == 2
    assert [r.number for r in csvfile.rows(csvfile.split_bytes(data))] == [0, 1, 2]


def test_last_row_without_a_line_end() -> None:
    assert _cells(b"a,b\n1,2") == [["a", "b"], ["1", "2"]]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"\r\n\r\n", "empty"),
        (b",,\nAcme,a@example.com,false\n", "header row"),
        (b"Company Name,,Deleted\nAcme,a,false\n", "column 2 has no name"),
        (b"Deleted,deleted\ntrue,false\n", "appears twice"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "line 1: not UTF-8"),
        (b"Company Name\n\x00\x00\x00\x01", "binary"),
        (b"Company Name,Email ID\n\xff\xfeAcme,a\n", "UTF-8"),
        (b'Company Name,Email ID\n"Acme,a@example.com\n', "line 2"),
        (b'Company Name,Email ID\n"Acme"x,a@example.com\n', "line 2"),
    ],
)
def test_files_that_are_not_csv_are_refused_naming_the_problem(data: bytes, says: str) -> None:
    with pytest.raises(NotCsv) as refused:
        csvfile.check(csvfile.split_bytes(data))
    assert says in str(refused.value)


def test_header_only_file_has_no_rows() -> None:
    assert csvfile.check(csvfile.split_bytes(b"Company Name,Email ID,Deleted\r\n")).rows == 0


_cell = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    table=st.lists(st.lists(_cell, min_size=3, max_size=3), min_size=1, max_size=25),
    crlf=st.booleans(),
    bom=st.booleans(),
    chunk=st.integers(1, 40),
    cut=st.integers(0, 30),
)
def test_resuming_at_any_row_offset_reads_the_rest_exactly(
    table: list[list[str]], crlf: bool, bom: bool, chunk: int, cut: int
) -> None:
    """A reader that stops after any row and a new one started at that row's end offset
    together read every row once — what the worker's checkpoints rely on."""
    if not crlf:  # an unquoted CR in an LF file reads as a line end: writers quote it only for CRLF
        table = [[cell.replace("\r", "") for cell in row] for row in table]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if crlf else "\n", quoting=csv.QUOTE_MINIMAL).writerows([HEADER, *table])
    data = (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()
    whole = list(csvfile.rows(csvfile.split_bytes(data, chunk)))
    assert [r.cells for r in whole] == [HEADER, *table]  # ",," (three empty cells) is a row
    stop = whole[min(cut, len(whole) - 1)]
    rest = list(
        csvfile.rows(
            csvfile.split_bytes(data[stop.end :], chunk),
            start=stop.end,
            first_row=stop.number + 1,
            first_line=stop.next_line,
        )
    )
    assert [r.cells for r in whole if r.number > stop.number] == [r.cells for r in rest]
    assert [r.number for r in rest] == list(range(stop.number + 1, len(whole) - 1 + 1))
