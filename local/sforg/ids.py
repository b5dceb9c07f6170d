"""Salesforce record ids: 15-char case-sensitive ids and their 18-char case-insensitive form.

A connector stores ids as Salesforce hands them out (18 chars) and may receive 15-char ids
from people, so both forms and the checksum have to be exactly Salesforce's.
"""

from __future__ import annotations

import hashlib

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ALNUM = frozenset(BASE62)

KEY_PREFIXES: dict[str, str] = {
    "Organization": "00D",
    "User": "005",
    "Account": "001",
    "Contact": "003",
    "AccountTeamMember": "01M",
    "PackageLicense": "050",
}
QUERY_LOCATOR_PREFIX = "01g"
_SEQ_WIDTH = 7


def checksum(id15: str) -> str:
    """The 3-char suffix: per 5-char chunk, bit i set when char i is an upper-case letter."""
    out = []
    for start in (0, 5, 10):
        bits = 0
        for i, ch in enumerate(id15[start : start + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        out.append(_CHECKSUM_ALPHABET[bits])
    return "".join(out)


def is_valid(value: str) -> bool:
    """True for a well-formed 15-char id or an 18-char id whose suffix matches its checksum."""
    if not isinstance(value, str) or len(value) not in (15, 18) or not set(value) <= _ALNUM:
        return False
    return len(value) == 15 or checksum(value[:15]) == value[15:]


def to18(value: str) -> str:
    """The 18-char form of a 15- or 18-char id; ValueError when it is not an id."""
    if not is_valid(value):
        raise ValueError(f"invalid ID field: {value}")
    return value if len(value) == 18 else value + checksum(value)


def to15(value: str) -> str:
    """The case-sensitive 15-char form (what access tokens and the UI use)."""
    return to18(value)[:15]


def base62(number: int, width: int) -> str:
    """Zero-padded base-62 digits (Salesforce ids use this alphabet)."""
    digits = []
    while number:
        number, rem = divmod(number, 62)
        digits.append(BASE62[rem])
    text = "".join(reversed(digits)) or "0"
    if len(text) > width:
        raise ValueError("id sequence exhausted")
    return text.rjust(width, "0")


def decode_base62(text: str) -> int:
    """Inverse of base62()."""
    number = 0
    for ch in text:
        number = number * 62 + BASE62.index(ch)
    return number


def org_tag(seed_text: str) -> str:
    """Five chars shared by every id of one org (the 'pod' part of real ids), from a stable hash."""
    digest = int.from_bytes(hashlib.sha256(seed_text.encode()).digest()[:8], "big")
    pod = str(1 + digest % 9) + "abcdefghijkmnopqrstuvwxyz"[(digest // 9) % 25]
    return pod + base62((digest // 225) % 62**3, 3)


def make_id(prefix: str, tag: str, seq: int) -> str:
    """An 18-char id: key prefix + org tag + sequence number + checksum."""
    id15 = prefix + tag + base62(seq, _SEQ_WIDTH)
    return id15 + checksum(id15)


def sequence_of(value: str) -> int:
    """The sequence number inside an id made by make_id()."""
    return decode_base62(value[8:15])
