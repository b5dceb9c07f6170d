"""Who may call what (SPEC §1.1): one reusable check."""

from __future__ import annotations

from typing import Literal

from cscore.auth.principal import Principal
from cscore.errors import Forbidden

Access = Literal["any", "super_admin"]


def require(principal: Principal, access: Access) -> None:
    """Raise 403 GS_1403 unless the principal has the access the endpoint needs."""
    if access == "super_admin" and not principal.is_super_admin:
        raise Forbidden("Only super admins may call this endpoint")
