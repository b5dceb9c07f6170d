"""The small HTML page the OAuth callback answers (the admin's browser lands on it)."""

from __future__ import annotations

from html import escape
from typing import Any

from cscore.platform import html

_STYLE = "body { font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto }"
# The page runs no script and loads nothing: only its own style block is allowed.
CONTENT_SECURITY_POLICY = html.policy(styles=[html.inline(_STYLE)])


def _page(title: str, message: str, details: str = "") -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{_STYLE}</style></head>
<body>
<h1>{title}</h1>
<p>{message}</p>
{details}
<p>You can close this window.</p>
</body></html>
"""


def authorized(connection: dict[str, Any]) -> str:
    return _page(
        title="Salesforce connection authorized",
        message=(
            f"The connection <strong>{escape(str(connection['name']))}</strong> is authorized with the "
            f"Salesforce org <code>{escape(str(connection['orgId']))}</code>."
        ),
        details="",
    )


def failed(code: str, description: str) -> str:
    return _page(
        title="Salesforce authorization failed",
        message=escape(description),
        details=f"<p>Error code: <code>{escape(code)}</code></p>",
    )
