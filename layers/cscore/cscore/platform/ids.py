"""GSIDs (SPEC §1.4): 36 upper-case alphanumerics, a 4-character type prefix, time-ordered.

Layout: prefix (4) + milliseconds since the epoch in base 36 (9) + randomness (23).
Within one process, GSIDs minted in the same millisecond are ordered by incrementing
the random part, so "time-ordered" also holds for a burst of creates.
"""

from __future__ import annotations

import hashlib
import secrets
import threading

from cscore.platform import clock

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
USER = "1P01"
COMPANY = "1P02"
PERSON = "1P03"
COMPANY_PERSON = "1P04"
COMPANY_TEAM = "1P05"
PICKLIST_ITEM = "1I00"
ACCESS_KEY = "1K01"
OAUTH_CLIENT = "1K02"
PERMISSION_BUNDLE = "1B01"
CONNECTION = "1C01"
JOB = "1C02"
RUN = "1C03"
BULK_JOB = "1C04"
BULK_IMPORT = "1C05"
BULK_UPLOAD = "1C06"

_TIME_LEN = 9
_RANDOM_LEN = 23
_lock = threading.Lock()
_last: tuple[int, int] = (0, 0)


def _base36(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 36)
        out.append(ALPHABET[r])
    return "".join(reversed(out))


def new_gsid(prefix: str) -> str:
    """A new GSID for an object type; ``prefix`` is 4 upper-case alphanumerics."""
    if len(prefix) != 4 or any(c not in ALPHABET for c in prefix):
        raise ValueError(f"invalid GSID prefix {prefix!r}")
    global _last
    millis = int(clock.now() * 1000)
    with _lock:
        last_ms, last_rand = _last
        if millis <= last_ms:
            millis, rand = last_ms, last_rand + 1
        else:
            rand = secrets.randbelow(36**_RANDOM_LEN // 2)
        _last = (millis, rand)
    return prefix + _base36(millis, _TIME_LEN) + _base36(rand, _RANDOM_LEN)


def derived_gsid(prefix: str, millis: int, identity: tuple[str, ...]) -> str:
    """A GSID that is a function of its arguments: the time part is ``millis`` and the
    rest a hash of ``identity``. A writer that may be interrupted and resumed (a sync run)
    gives a record it inserts the GSID of its source identity at the run's start, so
    every attempt of the insert names the same record and index entries it wrote
    before dying are its own (docs/data-model.md, bulk path)."""
    if len(prefix) != 4 or any(c not in ALPHABET for c in prefix):
        raise ValueError(f"invalid GSID prefix {prefix!r}")
    digest = int.from_bytes(hashlib.sha256("\x00".join(identity).encode()).digest(), "big")
    return prefix + _base36(millis, _TIME_LEN) + _base36(digest % 36**_RANDOM_LEN, _RANDOM_LEN)


def millis_of(gsid: str) -> int:
    """The epoch milliseconds a GSID's time part holds (``new_gsid``, ``derived_gsid``)."""
    return int(gsid[4 : 4 + _TIME_LEN], 36)


def is_gsid(value: object, prefix: str | None = None) -> bool:
    """True when ``value`` has the shape of a GSID (of the given type, if any)."""
    return (
        isinstance(value, str)
        and len(value) == 36
        and all(c in ALPHABET for c in value)
        and (prefix is None or value.startswith(prefix))
    )
