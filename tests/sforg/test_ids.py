"""Salesforce ids: 18 chars, right key prefixes, and Salesforce's own case-safe checksum."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sforg import ids
from tests.sforg.support import Client

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def test_checksum_of_a_known_salesforce_id() -> None:
    # 001A0000006Vm9r: chunk "001A0" has an upper-case letter at index 3 -> 0b01000 -> 'I'; "00000" -> 'A';
    # "6Vm9r" has one at index 1 -> 0b00010 -> 'C'.
    assert ids.to18("001A0000006Vm9r") == "001A0000006Vm9rIAC"
    assert ids.checksum("00D000000000062") == "EAA"  # the D at index 2 -> 0b00100
    assert ids.checksum("ZZZZZZZZZZZZZZZ") == "555"


@given(st.text(alphabet=_ALNUM, min_size=15, max_size=15))
def test_checksum_encodes_upper_case_positions(id15: str) -> None:
    id18 = ids.to18(id15)
    assert len(id18) == 18 and id18[:15] == id15
    for chunk, char in zip((id15[0:5], id15[5:10], id15[10:15]), id18[15:], strict=True):
        bits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".index(char)
        assert [bool(bits >> i & 1) for i in range(5)] == [c.isupper() for c in chunk]
    assert ids.to18(id18) == id18 and ids.to15(id18) == id15


def test_invalid_ids_are_rejected() -> None:
    for bad in ("", "001", "001A0000006Vm9rAAA", "001A0000006Vm9-", "001A0000006Vm9r!AC"):
        assert not ids.is_valid(bad)
        with pytest.raises(ValueError):
            ids.to18(bad)


@pytest.mark.parametrize(
    ("obj", "prefix"),
    [
        ("Organization", "00D"),
        ("User", "005"),
        ("Account", "001"),
        ("Contact", "003"),
        ("AccountTeamMember", "01M"),
        ("PackageLicense", "050"),
    ],
)
def test_served_ids_are_18_chars_with_prefix_and_checksum(
    client: Client, org: dict[str, Any], session: dict[str, Any], obj: str, prefix: str
) -> None:
    records = client.query(session["access_token"], f"SELECT Id FROM {obj}")["records"]
    assert records, obj
    for record in records:
        rid = record["Id"]
        assert len(rid) == 18 and rid.startswith(prefix)
        assert rid[15:] == ids.checksum(rid[:15])
    assert org["orgId"].startswith("00D") and ids.is_valid(org["orgId"]) and len(org["orgId"]) == 18
