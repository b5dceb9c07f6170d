"""Strings that may reach storage: valid Unicode only.

JSON lets a client send a lone surrogate (``"\\ud800"``) that Python decodes into a str
no encoder can write as UTF-8: stored, it breaks every later read of the item that holds
it. Every value that comes from outside (request bodies, Salesforce rows) is checked
here before anything is written. NUL is refused too: it is no character a person types,
and several stores and tools (CSV readers, C strings) cut text at it.
"""

from __future__ import annotations

import re
from typing import Any

# A surrogate code point (U+D800-U+DFFF) on its own, or NUL.
_UNSTORABLE = re.compile("[\ud800-\udfff\x00]")
MAX_DEPTH = 32  # how deep a JSON body may nest (objects and arrays; ``api.request.checked``)


def unstorable(text: str) -> bool:
    """True when ``text`` holds a lone surrogate or NUL (not valid stored text)."""
    return _UNSTORABLE.search(text) is not None


def first_unstorable(value: Any, where: str = "body") -> str | None:
    """The path (``records[0].Name``) of the first string in a JSON value — keys too —
    that is not valid stored text; None when every string is."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        current, path = stack.pop()
        if isinstance(current, str):
            if unstorable(current):
                return path
        elif isinstance(current, dict):
            for key, item in reversed(list(current.items())):
                if isinstance(key, str) and unstorable(key):
                    return f"{path}.<key>"
                stack.append((item, f"{path}.{key}"))
        elif isinstance(current, list | tuple):
            for index in range(len(current) - 1, -1, -1):
                stack.append((current[index], f"{path}[{index}]"))
    return None
