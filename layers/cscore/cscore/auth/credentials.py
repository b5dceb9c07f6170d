"""Making and checking secrets. Pure functions, no I/O.

Every credential the product issues starts with the tenant id and names the user it acts
as (``<tenantId>.<userGsid>.<secret>``; a Bearer token names its client too) so that
authentication can read the credential, its tenant and its user in one BatchGetItem.
Secrets are 256 random bits, so a single SHA-256 is the right hash: a slow password
hash buys nothing against a secret that cannot be guessed, and would cost every request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SEPARATOR = "."


def new_secret() -> str:
    """256 random bits, URL-safe, no padding."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_digest(secret: str, expected_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), expected_digest)


def compose(*parts: str) -> str:
    return SEPARATOR.join(parts)


def split(credential: str, parts: int) -> list[str] | None:
    """The ``parts`` pieces of a credential, or None when it does not have that shape."""
    pieces = credential.split(SEPARATOR)
    if len(pieces) != parts or not all(pieces):
        return None
    return pieces


def parse_basic(header_value: str) -> tuple[str, str] | None:
    """``Basic base64(id:secret)`` -> (id, secret), or None when malformed."""
    scheme, _, token = header_value.strip().partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, sep, client_secret = decoded.partition(":")
    return (client_id, client_secret) if sep and client_id and client_secret else None


def parse_bearer(header_value: str) -> str | None:
    scheme, _, token = header_value.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
