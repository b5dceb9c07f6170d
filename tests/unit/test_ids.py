"""GSIDs (SPEC §1.4): 36 upper-case alphanumerics, typed prefix, unique, time-ordered."""

from __future__ import annotations

import re

import pytest

from cscore.platform import ids


def test_shape_and_prefix() -> None:
    gsid = ids.new_gsid(ids.USER)
    assert re.fullmatch(r"1P01[0-9A-Z]{32}", gsid)
    assert ids.is_gsid(gsid, ids.USER) and not ids.is_gsid(gsid, ids.COMPANY)


def test_a_burst_is_unique_and_ordered() -> None:
    burst = [ids.new_gsid(ids.COMPANY) for _ in range(5000)]
    assert len(set(burst)) == len(burst)
    assert burst == sorted(burst)


def test_later_is_greater(fake_clock) -> None:
    first = ids.new_gsid(ids.USER)
    fake_clock.at += 0.002
    assert ids.new_gsid(ids.USER) > first


@pytest.mark.parametrize("prefix", ["1p01", "1P0", "1P01X", "1P_1"])
def test_bad_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        ids.new_gsid(prefix)


@pytest.mark.parametrize("value", [None, 12, "1P01", "1p01" + "A" * 32, "1P01" + "A" * 31 + "-"])
def test_is_gsid_rejects_other_shapes(value: object) -> None:
    assert not ids.is_gsid(value)
