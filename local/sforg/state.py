"""Everything the server knows, behind one lock: orgs, connected apps, tokens, codes, query cursors.

Mutations go through methods here, which apply them and append them to the journal; replay at
start feeds the same events back through `apply`, so a restarted server accepts old tokens.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from sforg import ids
from sforg.errors import SfError
from sforg.journal import Journal
from sforg.org import Org
from sforg.seed import install_package, seed_org
from sforg.spec import ConnectedApp, OrgSpec

log = logging.getLogger(__name__)

SESSION_TIMEOUT_MS = 2 * 3600 * 1000
CODE_TTL_MS = 15 * 60 * 1000
TICKET_TTL_MS = 30 * 60 * 1000
CURSOR_TTL_MS = 15 * 60 * 1000
_TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"  # noqa: S105 - an alphabet
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def random_text(length: int, alphabet: str = _TOKEN_CHARS) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass
class Token:
    """An issued access or refresh token (values are secrets: never logged)."""

    kind: str  # "access" | "refresh"
    value: str
    org_id: str
    user_id: str
    client_id: str
    scope: str
    issued_ms: int
    expires_ms: int | None = None  # access tokens only (session timeout, org clock)
    parent: str | None = None  # the refresh token an access token came from
    revoked_ms: int | None = None

    def status(self, now_ms: int) -> str:
        if self.revoked_ms is not None:
            return "REVOKED"
        if self.expires_ms is not None and now_ms >= self.expires_ms:
            return "EXPIRED"
        return "ACTIVE"


@dataclass
class AuthCode:
    org_id: str
    user_id: str
    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str | None
    expires_ms: int


@dataclass
class Ticket:
    """A pending authorization between the login page, the consent page and the redirect."""

    step: str  # "login" | "consent"
    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    code_challenge: str | None
    created_ms: int
    org_id: str | None = None
    user_id: str | None = None


@dataclass
class Cursor:
    """A query result snapshot that nextRecordsUrl pages through."""

    org_id: str
    query: Any
    rows: list[dict[str, Any]]
    batch_size: int
    last_used_ms: int


class ServerState:
    """The lock, the orgs and the OAuth stores; the journal when persisting."""

    def __init__(self, url: str, journal: Journal | None) -> None:
        self.lock = threading.RLock()
        self.url = url
        self.journal = journal
        self.orgs: dict[str, Org] = {}
        self.apps: dict[str, ConnectedApp] = {}
        self.tokens: dict[str, Token] = {}
        self.codes: dict[str, AuthCode] = {}
        self.tickets: dict[str, Ticket] = {}
        self.cursors: dict[str, Cursor] = {}
        self._replaying = False

    # -- journal ------------------------------------------------------------------------------
    def _emit(self, event: dict[str, Any]) -> None:
        if self.journal is not None and not self._replaying:
            self.journal.append(event)

    def replay(self) -> None:
        """Re-apply the journal (called once, before serving)."""
        if self.journal is None:
            return
        self._replaying = True
        try:
            for event in self.journal.events():
                try:
                    self.apply(event)
                except (KeyError, ValueError, TypeError, SfError) as exc:
                    log.warning("skipping journal event %s: %s", event.get("e"), type(exc).__name__)
        finally:
            self._replaying = False

    def apply(self, ev: dict[str, Any]) -> None:
        kind = ev["e"]
        if kind == "org":
            spec = OrgSpec(**ev["spec"])
            if spec.org_id not in self.orgs:
                self.create_org(spec, journal=False)
        elif kind == "drop_org":
            self.drop_org(ev["org"])
        elif kind == "app":
            self.register_app(ConnectedApp(**ev["app"]))
        elif kind == "token":
            token = Token(**ev["token"])
            self.tokens[token.value] = token
        elif kind == "revoke":
            self.revoke(self.tokens[ev["value"]], ev["at"], cascade=ev.get("cascade", True))
        elif kind == "expire_all":
            self.expire_all(self.orgs[ev["org"]], ev["at"])
        elif kind == "revoke_all":
            self.revoke_all(self.orgs[ev["org"]], ev["at"])
        elif kind == "clock":
            self.set_clock(self.orgs[ev["org"]], ev["offset"])
        elif kind == "create":
            self.orgs[ev["org"]].insert(ev["obj"], ev["record"])
        elif kind == "update":
            self.orgs[ev["org"]].update(ev["obj"], ev["id"], ev["values"], ev["at"])
        elif kind == "delete":
            self.orgs[ev["org"]].delete(ev["obj"], ev["id"], ev["at"])
        elif kind == "package":
            self.set_package(self.orgs[ev["org"]], ev["installed"], ev["at"], ev.get("id"))

    # -- orgs ---------------------------------------------------------------------------------
    def org(self, org_id: str | None) -> Org | None:
        if not org_id:
            return None
        try:
            return self.orgs.get(ids.to18(org_id))
        except ValueError:
            return None

    def _org_id_for(self, spec: OrgSpec) -> str:
        if spec.org_id:
            org_id = ids.to18(spec.org_id)
            if not org_id.startswith("00D"):
                raise ValueError(f"not an org id: {spec.org_id}")
            return org_id
        base = f"{spec.name}|{spec.seed}"
        n = 1
        while True:
            tag = ids.org_tag(base if n == 1 else f"{base}#{n}")
            org_id = ids.make_id("00D", tag, 1)
            if org_id not in self.orgs:
                return org_id
            n += 1

    def username_taken(self, username: str) -> bool:
        return any(o.username.lower() == username.lower() for o in self.orgs.values())

    def create_org(self, spec: OrgSpec, *, journal: bool) -> Org:
        """A new org with its deterministic data set (journaled when it came from a hook)."""
        org_id = self._org_id_for(spec)
        if org_id in self.orgs:
            raise SfError(400, "DUPLICATE_VALUE", f"org {org_id} already exists")
        if self.username_taken(spec.username):
            raise SfError(400, "DUPLICATE_USERNAME", f"Duplicate Username: {spec.username}", ["username"])
        spec = dataclasses.replace(spec, org_id=org_id)
        org = Org(spec, org_id)
        seed_org(org)
        self.orgs[org_id] = org
        if journal:
            self._emit({"e": "org", "spec": spec.to_json()})
        return org

    def drop_org(self, org_id: str) -> None:
        org = self.orgs.pop(org_id, None)
        if org is None:
            return
        self.tokens = {v: t for v, t in self.tokens.items() if t.org_id != org_id}
        self.cursors = {k: c for k, c in self.cursors.items() if c.org_id != org_id}
        self._emit({"e": "drop_org", "org": org_id})

    def org_for_login(self, username: str, password: str) -> Org | None:
        for org in self.orgs.values():
            if org.username.lower() == username.strip().lower() and secrets.compare_digest(
                org.password.encode(), password.encode()
            ):
                return org
        return None

    def register_app(self, app: ConnectedApp, *, journal: bool = False) -> None:
        self.apps[app.client_id] = app
        if journal:
            self._emit({"e": "app", "app": app.to_json()})

    # -- clock, package, records ----------------------------------------------------------------
    def set_clock(self, org: Org, offset_ms: int) -> None:
        org.offset_ms = offset_ms
        self._emit({"e": "clock", "org": org.org_id, "offset": offset_ms})

    def set_package(self, org: Org, installed: bool, at: int, record_id: str | None = None) -> None:
        rows = org.tables["PackageLicense"].rows
        if installed and not org.managed_package:
            record_id = install_package(org, at, record_id)["Id"]
        elif not installed:
            for rid in [rid for rid, r in rows.items() if r["NamespacePrefix"] == "JBCXM"]:
                del rows[rid]
        org.observe_stamp(at)
        self._emit({"e": "package", "org": org.org_id, "installed": installed, "at": at, "id": record_id})

    def create_record(self, org: Org, obj: str, payload: dict[str, Any]) -> dict[str, Any]:
        record = org.build(obj, payload, org.next_stamp())
        org.insert(obj, record)
        self._emit({"e": "create", "org": org.org_id, "obj": obj, "record": record})
        return record

    def update_record(self, org: Org, obj: str, rid: str, payload: dict[str, Any]) -> dict[str, Any]:
        rid, values = org.changes(obj, rid, payload)
        at = org.next_stamp()
        record = org.update(obj, rid, values, at)
        self._emit({"e": "update", "org": org.org_id, "obj": obj, "id": rid, "values": values, "at": at})
        return record

    def delete_record(self, org: Org, obj: str, rid: str) -> list[tuple[str, str]]:
        rid = org.check_delete(obj, rid)
        at = org.next_stamp()
        removed = org.delete(obj, rid, at)
        self._emit({"e": "delete", "org": org.org_id, "obj": obj, "id": rid, "at": at})
        return removed

    # -- tokens -------------------------------------------------------------------------------
    def issue(self, kind: str, org: Org, user_id: str, client_id: str, scope: str, parent: str | None = None) -> Token:
        now = org.now_ms()
        if kind == "access":
            value = f"{org.org_id[:15]}!AQ{random_text(108)}"
            token = Token(kind, value, org.org_id, user_id, client_id, scope, now, now + SESSION_TIMEOUT_MS, parent)
        else:
            value = "5Aep861" + random_text(80)
            token = Token(kind, value, org.org_id, user_id, client_id, scope, now)
        self.tokens[value] = token
        self._emit({"e": "token", "token": dataclasses.asdict(token)})
        return token

    def revoke(self, token: Token, at: int, *, cascade: bool = True) -> None:
        """Revoke one token; a revoked refresh token takes the access tokens issued from it along."""
        token.revoked_ms = at
        if token.kind == "refresh" and cascade:
            for other in self.tokens.values():
                if other.parent == token.value and other.revoked_ms is None:
                    other.revoked_ms = at
        self._emit({"e": "revoke", "value": token.value, "at": at, "cascade": cascade})

    def expire_all(self, org: Org, at: int) -> None:
        for token in self.tokens.values():
            live = token.revoked_ms is None and (token.expires_ms is None or token.expires_ms > at)
            if token.org_id == org.org_id and token.kind == "access" and live:
                token.expires_ms = at
        self._emit({"e": "expire_all", "org": org.org_id, "at": at})

    def revoke_all(self, org: Org, at: int) -> None:
        for token in self.tokens.values():
            if token.org_id == org.org_id and token.revoked_ms is None:
                token.revoked_ms = at
        self._emit({"e": "revoke_all", "org": org.org_id, "at": at})

    def access_token(self, value: str | None) -> tuple[Token | None, Org | None]:
        """(the token when it is a live access token, the org it belongs to when that can be told)."""
        if not value:
            return None, None
        token = self.tokens.get(value)
        if token is None:
            return None, self.org(value.split("!", 1)[0]) if "!" in value else None
        org = self.orgs.get(token.org_id)
        if org is None or token.kind != "access" or token.status(org.now_ms()) != "ACTIVE":
            return None, org
        return token, org

    # -- query cursors ------------------------------------------------------------------------
    def add_cursor(self, org: Org, cursor: Cursor) -> str:
        now = org.now_ms()
        for key in [
            k for k, c in self.cursors.items() if c.org_id == org.org_id and now - c.last_used_ms > CURSOR_TTL_MS
        ]:
            del self.cursors[key]
        seq = ids.decode_base62(random_text(7, _ALNUM))
        locator = ids.make_id(ids.QUERY_LOCATOR_PREFIX, org.tag, seq)
        self.cursors[locator] = cursor
        return locator

    def cursor(self, org: Org, locator: str) -> Cursor | None:
        cursor = self.cursors.get(locator)
        if cursor is None or cursor.org_id != org.org_id:
            return None
        now = org.now_ms()
        if now - cursor.last_used_ms > CURSOR_TTL_MS:
            del self.cursors[locator]
            return None
        cursor.last_used_ms = now
        return cursor
