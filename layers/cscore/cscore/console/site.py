"""What the console's two functions answer: the page (``/admin/``) and its files
(``/admin/<name>``).

Every file URL the page and the modules use carries the release: one hash over all the
console's files, computed at cold start. A request naming the current release may be
cached for good (any change to any file changes every URL); any other request gets the
file as it is now, not to be reused without asking again. Modules import each other by
relative URL, so each module's imports are rewritten to carry the release too.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from cscore.bulkload import storage
from cscore.platform import html

# Names a request may ask for: the console's own files, nothing else (no folders).
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.(js|css|svg)$")
_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
}
_IMPORT = re.compile(r"""(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(["'])\./([a-z0-9-]+\.js)\2""")
_ASSET_REF = re.compile(r"""\{\{asset:([a-z0-9-]+\.(?:js|css|svg))\}\}""")


def policy(upload_origin: str) -> str:
    """The page's Content-Security-Policy: its own files and API only, plus the origin of
    the bulk bucket's pre-signed URLs (large CSV files go straight there)."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {upload_origin}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def page_headers() -> dict[str, str]:
    return {"Cache-Control": "no-cache", "Content-Security-Policy": policy(storage.url_origin())}


IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@dataclass(frozen=True)
class Asset:
    content_type: str
    body: str
    cache_control: str


@cache
def _sources() -> dict[str, str]:
    folder = resources.files("cscore.console").joinpath("static")
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.is_file() and (entry.name == "index.html" or _NAME.match(entry.name))
    }


@cache
def release() -> str:
    """A short hash over every file of the console (names and contents)."""
    digest = hashlib.sha256()
    for name, text in _sources().items():
        digest.update(name.encode() + b"\0" + text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:16]


def _versioned(name: str) -> str:
    return f"{name}?v={release()}"


@cache
def page() -> str:
    """index.html with each ``{{asset:name}}`` replaced by the file's versioned URL
    (relative: the page is at ``.../admin/`` whatever the stage prefix)."""
    return _ASSET_REF.sub(lambda m: _versioned(m.group(1)), _sources()["index.html"])


@cache
def _asset_body(name: str) -> str:
    text = _sources()[name]
    if name.endswith(".js"):
        return _IMPORT.sub(lambda m: f"{m.group(1)}{m.group(2)}./{_versioned(m.group(3))}{m.group(2)}", text)
    return text


def asset(name: str, version: str | None) -> Asset | None:
    """One file, or None when the console has no such file."""
    if not _NAME.match(name) or name not in _sources():
        return None
    cache_control = IMMUTABLE if version == release() else REVALIDATE
    return Asset(_TYPES[name.rsplit(".", 1)[1]], _asset_body(name), cache_control)


HTML = html.HTML
