"""The WSGI app (routing to oauth, rest and sandbox) and the threaded HTTPS server around it.

Request logging is off on purpose: access tokens can travel in query strings, and nothing this
server prints may contain one.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from sforg import oauth, rest, sandbox
from sforg.errors import not_found
from sforg.journal import Journal
from sforg.spec import ConnectedApp, OrgSpec, default_orgs
from sforg.state import ServerState
from sforg.tls import load_or_create_ca, server_context
from sforg.wire import error_response, json_response

log = logging.getLogger(__name__)
JOURNAL_FILE = "sforg-journal.jsonl"
_IDENTITY = re.compile(r"^/id/([0-9A-Za-z]{15,18})/([0-9A-Za-z]{15,18})/?$")


class App:
    """The WSGI application: one router, one shared state."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Exception as exc:  # noqa: BLE001 - the server must answer, and must not print request data
            log.error("internal error on %s %s: %s", request.method, request.path, type(exc).__name__)
            response = json_response(
                [{"errorCode": "UNKNOWN_EXCEPTION", "message": "An unexpected error occurred."}], 500
            )
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        state = self.state
        if path.startswith("/services/data"):
            if path in ("/services/data", "/services/data/"):
                return rest.versions(state, request)
            return rest.handle(state, request)
        if path == "/services/oauth2/authorize":
            return oauth.authorize(state, request)
        if path == "/services/oauth2/token":
            return oauth.token(state, request)
        if path == "/services/oauth2/revoke":
            return oauth.revoke(state, request)
        if path == "/services/oauth2/userinfo":
            return oauth.userinfo(state, request)
        match = _IDENTITY.match(path)
        if match:
            return oauth.identity(state, request, match.group(1), match.group(2))
        if path.startswith("/__sandbox/"):
            return sandbox.handle(state, request)
        return error_response(not_found())


class _QuietHandler(WSGIRequestHandler):
    """No access log, no error log: either could carry a token from a query string."""

    timeout = 120  # seconds a connection may sit idle (or half-way through a TLS handshake)

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - overrides werkzeug's signature
        return

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class OrgServer:
    """A running stand-in Salesforce: its HTTPS url, the CA that signed it, and its state."""

    def __init__(self, state: ServerState, httpd: BaseWSGIServer, ca_pem_path: Path, host: str) -> None:
        self.state = state
        self._httpd = httpd
        self.ca_pem_path = ca_pem_path
        self.host = host
        self.port = httpd.server_port
        self.url = state.url
        self._thread = threading.Thread(target=httpd.serve_forever, name="sforg", daemon=True)
        self._thread.start()

    def register_connected_app(self, app: ConnectedApp) -> None:
        """Register (or replace) a connected app; valid in every org of this server."""
        with self.state.lock:
            self.state.register_app(app, journal=True)

    def describe(self) -> dict[str, Any]:
        """What a client needs: url, CA bundle path, and the orgs with their login users."""
        with self.state.lock:
            orgs = [o.descriptor() for o in self.state.orgs.values()]
        return {"url": self.url, "caBundle": str(self.ca_pem_path), "orgs": orgs}

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def start_org_server(
    state_dir: Path,
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    orgs: list[OrgSpec] | None = None,
    connected_apps: list[ConnectedApp] | None = None,
    persist: bool = False,
) -> OrgServer:
    """Build the orgs (and replay the journal when persisting), then serve HTTPS in a daemon thread."""
    state_dir = Path(state_dir)
    ca, ca_path = load_or_create_ca(state_dir)
    state = ServerState("", Journal(state_dir / JOURNAL_FILE) if persist else None)
    httpd = make_server(
        host, port, App(state), threaded=True, request_handler=_QuietHandler, ssl_context=server_context(ca)
    )
    httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    # Stopping must not wait for clients that keep idle connections open (browsers,
    # pooled sessions): request threads are daemons and die with the server.
    httpd.block_on_close = False  # type: ignore[attr-defined]
    shown_host = f"[{host}]" if ":" in host else host
    state.url = f"https://{shown_host}:{httpd.server_port}"
    try:
        with state.lock:
            for spec in default_orgs() if orgs is None else orgs:
                state.create_org(spec, journal=False)
            state.replay()
            for app in connected_apps or []:  # after the replay: the caller's settings win over journaled ones
                state.register_app(app)
    except BaseException:
        httpd.server_close()
        raise
    return OrgServer(state, httpd, ca_path, host)
