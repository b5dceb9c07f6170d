"""What an answer may make a browser do: the security headers of every answer and the
Content-Security-Policy of each HTML page the product serves.

A page allows its own inline ``<script>``/``<style>`` blocks by their SHA-256 hash, never
with 'unsafe-inline'; the hash is taken from the page's template, not from the page as
sent, so text that ends up in a page can never allow itself.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

HTML = "text/html; charset=utf-8"
# Every answer: no MIME sniffing, no referrer, no framing; an answer that is not a page
# loads nothing even if a browser renders it. A page replaces the policy with its own.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


def inline(source: str) -> str:
    """The CSP source that allows exactly this inline script or style block."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode() + "'"


def policy(
    *,
    scripts: Sequence[str] = (),
    styles: Sequence[str] = (),
    images: Sequence[str] = (),
    connect: Sequence[str] = (),
) -> str:
    """A page's Content-Security-Policy: nothing but the sources given, no base URL, no
    form posts, no framing."""
    directives = {
        "default-src": ["'none'"],
        "script-src": scripts,
        "style-src": styles,
        "img-src": images,
        "connect-src": connect,
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items() if sources)
