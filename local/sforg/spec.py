"""What an org and a connected app are made of (the public configuration types)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ConnectedApp:
    """An OAuth client registered in every org of the server (like a packaged connected app)."""

    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)  # exact-match list
    rotate_refresh_tokens: bool = False
    name: str = ""  # shown on the consent page; the client id when empty

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class OrgSpec:
    """An org to create at start: its login user and how much deterministic demo data it holds."""

    org_id: str | None = None  # 00D... 18-char id; generated deterministically from name when None
    name: str = "Acme"
    username: str = "admin@acme.example"
    password: str = "Passw0rd!sforg"  # noqa: S105 - a demo org's login, printed by describe()
    managed_package: bool = True
    users: int = 20
    accounts: int = 50
    contacts_per_account: int = 2
    team_members_per_account: int = 1
    seed: int | None = None  # deterministic data set from (seed or name)
    daily_api_limit: int = 100_000

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def default_orgs() -> list[OrgSpec]:
    """Two demo orgs: Acme has the platform's managed package installed, Globex does not."""
    return [
        OrgSpec(
            name="Acme",
            username="admin@acme.example",
            password="acme-Passw0rd",  # noqa: S106 - demo login
            managed_package=True,
            users=12,
            accounts=30,
        ),
        OrgSpec(
            name="Globex",
            username="admin@globex.example",
            password="globex-Passw0rd",  # noqa: S106 - demo login
            managed_package=False,
            users=8,
            accounts=15,
        ),
    ]
