"""Embedded AWS: moto's server on loopback, made safe and durable for the local stack.

* DynamoDB requests are serialized (one lock around them): moto does not update an
  item atomically under threads, real DynamoDB does, and the rate limiter relies on it.
* ``TransactWriteItems`` honours ``ClientRequestToken`` as DynamoDB does: a call whose
  token succeeded in the last 10 minutes answers that success again without applying
  anything (botocore sends one token for all retries of a call, so an SDK retry after a
  read timeout on a slow machine is applied once); the same token with other parameters
  is ``IdempotentParameterMismatchException``.
* Transactions back up only the items they touch (``moto_transactions``), not the table.
* A Query reads only its partition, kept sorted, and item answers skip moto's generic
  serializer (``moto_query``): its cost follows the page, not the table.
* With a state directory, what each request changed is saved as state before the request
  is answered (``cslocal.persistence``) and loaded at start: data survives a restart of
  ``make run`` and a ``kill -9`` (``make reset`` clears it).
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from cslocal.persistence import StatePersistence, describe

TOKEN_LIFETIME = 600.0  # seconds DynamoDB keeps a transaction's ClientRequestToken


def _target(environ: dict[str, Any]) -> str:
    return str(environ.get("HTTP_X_AMZ_TARGET", ""))


def _is_dynamodb(environ: dict[str, Any]) -> bool:
    return _target(environ).startswith("DynamoDB_")


SENT_MAIL_PATH = "/local-api/ses/sent"

# A refusal the embedded AWS answers instead of serving a request: (status, headers, body).
Refusal = tuple[str, list[tuple[str, str]], bytes]
# Decides, before moto sees it, whether a request is refused (e.g. by the caller's IAM policy).
Guard = Callable[[dict[str, Any], bytes], Refusal | None]


def _sent_mail(start_response: Any) -> list[bytes]:
    """The embedded SES outbox, read from moto's backend directly: moto's own data dump
    serializes every backend (every table included), which grows with the stack's data."""
    from moto.ses.models import ses_backends

    messages = [
        {"to": m.destinations.get("ToAddresses", []), "from": m.source, "subject": m.subject, "body": m.body}
        for account in ses_backends.values()
        for backend in account.values()
        for m in backend.sent_messages
        if hasattr(m, "destinations")
    ]
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(messages).encode()]


class LocalAwsApp:
    """WSGI wrapper around moto: DynamoDB lock, transactions' tokens, state saved."""

    def __init__(self, state: StatePersistence | None) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        from cslocal import moto_query, moto_transactions

        moto_transactions.install()
        moto_query.install()
        self._moto = DomainDispatcherApplication(create_backend_app)
        self._dynamodb_lock = threading.Lock()
        self._state = state
        self.requests = 0
        self.guard: Guard | None = None
        # ClientRequestToken -> (parameters' digest, when, status, headers, body) of a
        # TransactWriteItems that succeeded; read and written under the DynamoDB lock.
        self._transactions: dict[str, tuple[str, float, str, list[tuple[str, str]], list[bytes]]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        self.requests += 1
        if environ.get("PATH_INFO") == SENT_MAIL_PATH:
            return _sent_mail(start_response)
        refusal = self.guard(environ, body) if self.guard is not None else None
        if refusal is not None:
            start_response(refusal[0], refusal[1])
            return [refusal[2]]
        if _is_dynamodb(environ):
            with self._dynamodb_lock:
                if _target(environ).endswith(".TransactWriteItems"):
                    return self._transact_once(environ, body, start_response)
                return self._apply(environ, body, start_response)
        if self._state is None:
            return self._apply(environ, body, start_response)
        with self._state.serialized(describe(environ, body)):
            return self._apply(environ, body, start_response)

    def _apply(self, environ: dict[str, Any], body: bytes, start_response: Any) -> list[bytes]:
        """moto's answer to a request; what it changed is saved before the answer goes out
        (the server sends nothing until this returns)."""
        if self._state is None:
            return list(self._moto(environ, start_response))
        answered: list[str] = []

        def status_of(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            answered.append(status)
            return start_response(status, headers, *rest)

        result = list(self._moto(environ, status_of))
        if str(environ.get("PATH_INFO", "")) == "/moto-api/reset":
            self._state.reset()
        elif answered and answered[-1].startswith("2"):  # a refused or failed call changed nothing
            self._state.save(describe(environ, body), body)
        return result

    def _transact_once(self, environ: dict[str, Any], body: bytes, start_response: Any) -> list[bytes]:
        """A TransactWriteItems applied once per ClientRequestToken (module doc)."""
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        token = request.pop("ClientRequestToken", None) if isinstance(request, dict) else None
        if not isinstance(token, str):
            return self._apply(environ, body, start_response)
        now = time.monotonic()
        self._transactions = {t: v for t, v in self._transactions.items() if now - v[1] < TOKEN_LIFETIME}
        digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
        seen = self._transactions.get(token)
        if seen is not None:
            if seen[0] != digest:
                message = {
                    "__type": "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",
                    "message": "The request uses the same client token as a previous, but non-identical request.",
                }
                start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.0")])
                return [json.dumps(message).encode()]
            start_response(seen[2], seen[3])
            return seen[4]
        answered: dict[str, Any] = {}

        def remember(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            answered["status"], answered["headers"] = status, list(headers)
            return start_response(status, headers, *rest)

        result = self._apply(environ, body, remember)
        if str(answered.get("status", "")).startswith("200"):
            self._transactions[token] = (digest, now, answered["status"], answered["headers"], result)
        return result


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class LocalAwsServer:
    """moto on 127.0.0.1 in a thread; ``url`` is the endpoint for boto3. With a
    ``state_dir`` its data is loaded from there and kept there; with None, memory only."""

    def __init__(self, port: int = 0, state_dir: Path | None = None) -> None:
        self.state = StatePersistence(state_dir) if state_dir is not None else None
        self.loaded = self.state.load() if self.state is not None else {}
        self.app = LocalAwsApp(self.state)
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", port, self.app, threaded=True, request_handler=_QuietRequestHandler
        )
        # Stopping must not wait for clients that keep idle pooled connections open
        # (boto3 does): request threads are daemons and end with the process.
        self._server.block_on_close = False  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-aws", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalAwsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
