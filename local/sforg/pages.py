"""The HTML of the login, consent and error pages (plain forms a browser or a test can post)."""

from __future__ import annotations

from html import escape

_STYLE = (
    "body{font-family:Helvetica,Arial,sans-serif;background:#f3f2f2;margin:0}"
    ".card{background:#fff;width:360px;margin:80px auto;padding:24px;border:1px solid #d8dde6;border-radius:4px}"
    "label{display:block;margin-top:12px;font-size:13px;color:#54698d}"
    "input[type=text],input[type=password]{width:100%;padding:8px;box-sizing:border-box}"
    "button,input[type=submit]{margin-top:16px;padding:8px 16px}"
    ".error{color:#c23934;font-size:13px}"
)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f'<body><div class="card">{body}</div></body></html>'
    )


def login_page(ticket: str, username: str = "", error: str | None = None) -> str:
    """Salesforce's login form: username, password and the pending authorization ticket."""
    message = f'<p class="error" id="error">{escape(error)}</p>' if error else ""
    return _page(
        "Login | Salesforce",
        "<h1>Log In</h1>"
        f"{message}"
        '<form method="post" action="/services/oauth2/authorize" id="login_form">'
        f'<input type="hidden" name="ticket" value="{escape(ticket)}">'
        '<input type="hidden" name="step" value="login">'
        '<label for="username">Username</label>'
        f'<input type="text" id="username" name="username" value="{escape(username)}" autocomplete="username">'
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" autocomplete="current-password">'
        '<input type="submit" id="Login" value="Log In">'
        "</form>",
    )


def consent_page(ticket: str, app_name: str, org_name: str, username: str, scopes: list[str]) -> str:
    """The 'Allow Access?' page naming the connected app and the org."""
    described = {
        "api": "Manage user data via APIs (api)",
        "refresh_token": "Perform requests at any time (refresh_token, offline_access)",
        "offline_access": "Perform requests at any time (refresh_token, offline_access)",
        "id": "Access the identity URL service (id, profile, email, address, phone)",
        "full": "Full access (full)",
        "web": "Access the Salesforce API Platform (web)",
        "openid": "Access unique user identifiers (openid)",
    }
    items = "".join(f"<li>{escape(described.get(s, s))}</li>" for s in dict.fromkeys(scopes))
    return _page(
        "Allow Access? | Salesforce",
        "<h1>Allow Access?</h1>"
        f'<p id="app">{escape(app_name)} is asking to:</p><ul>{items}</ul>'
        f'<p id="org">You are logged in to <strong>{escape(org_name)}</strong> as {escape(username)}.</p>'
        f"<p>Do you want to allow access for {escape(username)}?</p>"
        '<form method="post" action="/services/oauth2/authorize" id="consent_form">'
        f'<input type="hidden" name="ticket" value="{escape(ticket)}">'
        '<input type="hidden" name="step" value="consent">'
        '<button type="submit" name="decision" value="deny">Deny</button> '
        '<button type="submit" name="decision" value="allow">Allow</button>'
        "</form>",
    )


def error_page(error: str, description: str) -> str:
    """The page Salesforce shows instead of redirecting when the client or redirect URI is wrong."""
    return _page(
        "Error | Salesforce",
        "<h1>OAuth Error</h1>"
        "<p>We can't authorize you because of an OAuth error. For more information, contact your Salesforce "
        "administrator.</p>"
        f'<p id="error">error={escape(error)}&amp;error_description={escape(description)}</p>',
    )
