"""The product's CSV writer (platform.csv_export): any text read back from a file it
wrote never starts a formula, and is the original behind at most one added quote."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from cscore.platform.csv_export import FORMULA_STARTS, cell, csv_bytes

_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
_starts = st.sampled_from(["", *FORMULA_STARTS, "'", " ", "\n", "a"])


@given(rows=st.lists(st.lists(st.tuples(_starts, _text).map("".join), min_size=1, max_size=4), max_size=6))
def test_cells_read_back_are_inert_and_intact(rows: list[list[str]]) -> None:
    read = list(csv.reader(io.StringIO(csv_bytes(rows).decode("utf-8"), newline="")))
    assert len(read) == len(rows)
    for written, back in zip(rows, read, strict=True):
        for original, text in zip(written, back, strict=True):
            assert not text.startswith(FORMULA_STARTS)
            assert text == ("'" + original if original.startswith(FORMULA_STARTS) else original)


def test_values_that_are_not_text() -> None:
    assert [cell(v) for v in (None, True, False, 12, -5, 1.5)] == ["", "true", "false", "12", "'-5", "1.5"]
