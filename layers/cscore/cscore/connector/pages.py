"""The small HTML page the OAuth callback answers (the admin's browser lands on it), and
the way back to the admin console's Connectors page, which shows the outcome."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from cscore.platform import html

_STYLE = "body { font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto }"
# The page runs no script and loads nothing: only its own style block is allowed.
CONTENT_SECURITY_POLICY = html.policy(styles=[html.inline(_STYLE)])


# The console, relative to the callback (``.../v1/connectors/salesforce/oauth/callback``),
# so the way back keeps a deployment's stage prefix.
CONSOLE = "../../../../admin/#/connectors"
RETURN_SECONDS = 3


def console_url(outcome: dict[str, str]) -> str:
    """The console's Connectors page, told the outcome (it reads the connection again from
    the API; the address only says which message to show)."""
    return f"{CONSOLE}?{urlencode(outcome)}"


def _page(title: str, message: str, outcome: dict[str, str], details: str = "") -> str:
    back = escape(console_url(outcome))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{RETURN_SECONDS}; url={back}">
<style>{_STYLE}</style></head>
<body>
<h1>{title}</h1>
<p>{message}</p>
{details}
<p><a href="{back}">Back to the admin console</a> (in {RETURN_SECONDS} seconds), or close this window.</p>
</body></html>
"""


def authorized(connection: dict[str, Any]) -> str:
    return _page(
        title="Salesforce connection authorized",
        message=(
            f"The connection <strong>{escape(str(connection['name']))}</strong> is authorized with the "
            f"Salesforce org <code>{escape(str(connection['orgId']))}</code>."
        ),
        outcome={"outcome": "authorized", "connectionId": str(connection["connectionId"])},
    )


def failed(code: str, description: str) -> str:
    return _page(
        title="Salesforce authorization failed",
        message=escape(description),
        outcome={"outcome": "failed", "code": code},
        details=f"<p>Error code: <code>{escape(code)}</code></p>",
    )
