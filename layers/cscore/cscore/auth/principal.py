"""The authenticated caller of one request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    tenant_name: str
    user_gsid: str
    is_super_admin: bool
    credential: str  # ACCESS_KEY | BEARER_TOKEN | OAUTH_CLIENT
    credential_id: str
    # The tenant's rate-limit overrides ({family: {window: limit}}), read with the credential.
    limit_overrides: dict[str, Any] = field(default_factory=dict)
    # The whole tenant item, read in the same call: settings and picklists.
    tenant: dict[str, Any] = field(default_factory=dict, repr=False)
