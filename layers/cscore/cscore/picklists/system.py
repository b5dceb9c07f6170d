"""The system picklist items every tenant has from the start (SPEC §1.4, §2.1, §4).

They have fixed GSIDs, the same in every tenant, so that clients written against
Gainsight's samples work. Where a seed article shows one, it is used; the others are
derived from the category and label, so they never change either.
"""

from __future__ import annotations

import hashlib

from cscore.platform.ids import ALPHABET, PICKLIST_ITEM

_SEEN_IN_SEEDS = {
    ("SystemType", "Internal"): "1I0054U9FAKXZ0H26HOLPCQ81MF6AUC6FF2X",
    ("LicenseType", "Viewer"): "1I003CYFM4Q8T50O0EK4EPT0XX6S7SUXS5JJ",
}

PICKLISTS: dict[str, list[str]] = {
    "LicenseType": ["Full", "Viewer", "Viewer Analytics", "Internal Collaborator", "External"],
    "SystemType": ["Internal", "External", "Guest", "Partner"],
    "TeamRole": ["Account Manager"],
}


def system_item_gsid(category: str, label: str) -> str:
    """The fixed GSID of a system picklist item."""
    if (category, label) in _SEEN_IN_SEEDS:
        return _SEEN_IN_SEEDS[(category, label)]
    number = int.from_bytes(hashlib.sha256(f"{category}:{label}".encode()).digest(), "big")
    chars = []
    for _ in range(32):
        number, digit = divmod(number, 36)
        chars.append(ALPHABET[digit])
    return PICKLIST_ITEM + "".join(chars)
