"""The Salesforce connected app's credentials, from the deployment's Secrets Manager
secret (never from code): ``{"clientId", "clientSecret", "callbackUrl"?}``.

Cached for a few minutes per execution environment, so a rotated secret is picked up
without a redeploy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cscore.errors import InternalError
from cscore.platform import aws, clock, config

_TTL_SECONDS = 300
_cache: tuple[float, ConnectedApp] | None = None


@dataclass(frozen=True)
class ConnectedApp:
    client_id: str
    client_secret: str
    callback_url: str | None

    def __repr__(self) -> str:
        return f"ConnectedApp(client_id={self.client_id!r}, client_secret=***)"


def get() -> ConnectedApp:
    global _cache
    if _cache and clock.now() - _cache[0] < _TTL_SECONDS:
        return _cache[1]
    raw = aws.secretsmanager().get_secret_value(SecretId=config.salesforce_app_secret_id())["SecretString"]
    try:
        values = json.loads(raw)
        app = ConnectedApp(str(values["clientId"]), str(values["clientSecret"]), values.get("callbackUrl") or None)
    except (ValueError, KeyError, TypeError):
        raise InternalError("the connected app secret must hold clientId and clientSecret") from None
    _cache = (clock.now(), app)
    return app


def forget() -> None:
    """Drop the cached credentials (tests, or after a rotation)."""
    global _cache
    _cache = None
