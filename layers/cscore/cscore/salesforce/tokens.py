"""What a connection holds to reach its org: its tokens and the connected app's
credentials. Kept apart from the HTTP client, so that code which only stores or passes
them does not import requests at cold start."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    instance_url: str

    def __repr__(self) -> str:  # never print token values, not even in a traceback
        return f"Tokens(instance_url={self.instance_url!r}, access_token=***, refresh_token=***)"


@dataclass(frozen=True)
class AppCredentials:
    login_url: str
    client_id: str
    client_secret: str
