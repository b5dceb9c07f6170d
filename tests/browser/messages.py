"""The console's message dictionaries (``messages-en.js``, ``messages-ja.js``) read as
Python dicts, so tests find labels in either language by key."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "layers" / "cscore" / "cscore" / "console" / "static"
LANGUAGES = ("en", "ja")
_ENTRY = re.compile(r'^\s*("(?:[^"\\]|\\.)*")\s*:\s*("(?:[^"\\]|\\.)*"),\s*$')


@cache
def messages(language: str) -> dict[str, str]:
    """Key -> text; every line between the braces must be an entry or a comment."""
    text = (STATIC / f"messages-{language}.js").read_text(encoding="utf-8")
    body = text[text.index("{") + 1 : text.rindex("}")]
    found: dict[str, str] = {}
    for line in body.splitlines():
        if not line.strip() or line.strip().startswith("//"):
            continue
        entry = _ENTRY.match(line)
        if entry is None:
            raise ValueError(f"messages-{language}.js: not a message entry: {line!r}")
        key, value = json.loads(entry.group(1)), json.loads(entry.group(2))
        if key in found:
            raise ValueError(f"messages-{language}.js: {key} twice")
        found[key] = value
    return found


def t(language: str, key: str, **values: object) -> str:
    text = messages(language)[key]
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), text)
