"""An API Gateway (REST API, Lambda proxy) stand-in: routes from template.yaml, proxy
events in the REST (v1) format, the real size limits, the integration timeout, and
envelope answers for what API Gateway itself would refuse (unknown route, body too
large, function failure, throttling, timeout).

Answers API Gateway produces itself carry API Gateway's status for the case and the
product's envelope as body: template.yaml's GatewayResponses map DEFAULT_4XX and
DEFAULT_5XX to the envelope (SPEC §1.2), so that is what a deployed API answers, and
clients parse one shape for every error. (API Gateway's own default body, for an API
without them, is ``{"message": "Endpoint request timed out"}`` and the like.)
https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
"""

from __future__ import annotations

import base64
import json
import queue
import re
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cslocal.runtime import THROTTLED, FunctionRuntime, InvocationError
from cslocal.template import Function, Stack

REQUEST_LIMIT = 10 * 1024 * 1024  # API Gateway's payload limit
# A REST API's integration timeout: TimeoutInMillis on the route, 50 to 29,000 ms, 29 s when
# unset (the default and the maximum, whatever the function's own Timeout).
# https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
INTEGRATION_TIMEOUT_MS = (50, 29_000)
_TIMED_OUT = object()


@dataclass
class Route:
    method: str
    path: str
    pattern: re.Pattern[str]
    function: Function
    timeout_ms: int = INTEGRATION_TIMEOUT_MS[1]


def compile_path(path: str) -> re.Pattern[str]:
    regex = ""
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{") and part.endswith("+}"):
            regex += f"(?P<{part[1:-2]}>.+)"
        elif part.startswith("{"):
            regex += f"(?P<{part[1:-1]}>[^/]+)"
        else:
            regex += re.escape(part)
    return re.compile(f"^{regex}/?$")


def routes_of(stack: Stack, functions: list[Function]) -> list[Route]:
    routes = []
    for function in functions:
        for event in function.events.values():
            if event.get("Type") != "Api":
                continue
            props = event.get("Properties") or {}
            path = str(props["Path"])
            timeout_ms = int(stack.resolve(props.get("TimeoutInMillis", INTEGRATION_TIMEOUT_MS[1])))
            if not INTEGRATION_TIMEOUT_MS[0] <= timeout_ms <= INTEGRATION_TIMEOUT_MS[1]:
                # CloudFormation refuses such a deployment; so does the local stack.
                raise ValueError(f"{function.logical_id} {path}: TimeoutInMillis {timeout_ms} is not 50..29000")
            routes.append(Route(str(props["Method"]).upper(), path, compile_path(path), function, timeout_ms))
    # Literal segments win over parameters, as in API Gateway.
    routes.sort(key=lambda r: (r.path.count("{"), -len(r.path)))
    return routes


def envelope_error(status: int, code: str, desc: str, request_id: str) -> tuple[int, dict[str, str], bytes]:
    body = {
        "result": False,
        "errorCode": code,
        "errorDesc": desc,
        "localizedErrorDesc": None,
        "requestId": request_id,
        "data": None,
        "message": None,
        "localizedMessage": None,
    }
    headers = {"Content-Type": "application/json", "X-Request-Id": request_id, "Access-Control-Allow-Origin": "*"}
    return status, headers, json.dumps(body).encode()


class Gateway:
    def __init__(self, stack: Stack, runtime: FunctionRuntime, stage: str) -> None:
        self.runtime = runtime
        self.stage = stage
        api = stack.resolve(stack.api())
        self.routes = routes_of(stack, list(runtime.functions.values()))
        self.binary_types = [t.replace("~1", "/") for t in api.get("BinaryMediaTypes", [])]
        self.cors = api.get("Cors") or {}

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """(route, path parameters, whether the path exists for another method)."""
        path_known = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                path_known = True
                if route.method in (method, "ANY"):
                    return route, found.groupdict(), True
        return None, {}, path_known

    def handle(
        self, method: str, raw_path: str, headers: list[tuple[str, str]], body: bytes, source_ip: str
    ) -> tuple[int, dict[str, str] | list[tuple[str, str]], bytes]:
        request_id = str(uuid.uuid4())
        url = urlsplit(raw_path)
        path = url.path or "/"
        if len(body) > REQUEST_LIMIT:
            return envelope_error(413, "GS_1413", "Request body too large (API Gateway accepts 10 MB)", request_id)
        if method == "OPTIONS" and self.cors:
            return 204, self._cors_headers(), b""
        route, params, _ = self.match(method, path)
        if route is None:
            return envelope_error(404, "GS_1404", "No route for this method and path", request_id)
        event = self._event(route, method, path, url.query, headers, body, params, request_id, source_ip)
        outcome = self._integrate(route, event)
        if outcome is _TIMED_OUT:  # INTEGRATION_TIMEOUT; the invocation runs on in its environment
            return envelope_error(504, "GU_1101", "Oops! Something went wrong.", request_id)
        if isinstance(outcome, InvocationError):
            if outcome.kind == "RequestEntityTooLarge":
                return envelope_error(413, "GS_1413", "Request body too large (Lambda accepts 6 MB)", request_id)
            # Lambda's 429 reaches the client as a 500 ("Execution failed due to configuration
            # error: Rate Exceeded"); a function error, its own timeout included, is a 502.
            status = 500 if outcome.kind == THROTTLED else 502
            return envelope_error(status, "GU_1101", "Oops! Something went wrong.", request_id)
        return self._response(outcome, request_id)

    def _integrate(self, route: Route, event: dict[str, Any]) -> Any:
        """The function's result or InvocationError, or _TIMED_OUT if the route's integration
        timeout came first. As in AWS, the gateway stops waiting but the invocation does not
        stop: it runs on (holding its environment) until it ends or its own timeout."""
        outcome: queue.Queue[Any] = queue.Queue(maxsize=1)

        def invoke() -> None:
            try:
                outcome.put(self.runtime.invoke(route.function, event))
            except InvocationError as exc:
                outcome.put(exc)

        threading.Thread(target=invoke, name=f"invoke-{route.function.logical_id}", daemon=True).start()
        try:
            return outcome.get(timeout=route.timeout_ms / 1000)
        except queue.Empty:
            return _TIMED_OUT

    def _cors_headers(self) -> dict[str, str]:
        strip = lambda v: str(v).strip("'")  # noqa: E731 - SAM wraps CORS values in quotes
        return {
            "Access-Control-Allow-Origin": strip(self.cors.get("AllowOrigin", "'*'")),
            "Access-Control-Allow-Headers": strip(self.cors.get("AllowHeaders", "'*'")),
            "Access-Control-Allow-Methods": strip(self.cors.get("AllowMethods", "'*'")),
            "Access-Control-Max-Age": strip(self.cors.get("MaxAge", "'600'")),
        }

    def _event(
        self,
        route: Route,
        method: str,
        path: str,
        query: str,
        headers: list[tuple[str, str]],
        body: bytes,
        params: dict[str, str],
        request_id: str,
        source_ip: str,
    ) -> dict[str, Any]:
        single: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        for name, value in headers:
            single[name] = value
            multi.setdefault(name, []).append(value)
        content_type = next((v for k, v in single.items() if k.lower() == "content-type"), "")
        is_binary = any(_media_matches(t, content_type) for t in self.binary_types)
        text: str | None = None
        if body and not is_binary:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                is_binary = True
        qs = parse_qs(query, keep_blank_values=True)
        return {
            "resource": route.path,
            "path": path,
            "httpMethod": method,
            "headers": single or None,
            "multiValueHeaders": multi or None,
            "queryStringParameters": {k: v[-1] for k, v in qs.items()} or None,
            "multiValueQueryStringParameters": qs or None,
            "pathParameters": params or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": route.path,
                "httpMethod": method,
                "path": f"/{self.stage}{path}",
                "stage": self.stage,
                "requestId": request_id,
                "requestTimeEpoch": int(time.time() * 1000),
                "identity": {"sourceIp": source_ip, "userAgent": single.get("User-Agent")},
                "accountId": "123456789012",
                "apiId": "local",
                "protocol": "HTTP/1.1",
                "domainName": "localhost",
            },
            "body": base64.b64encode(body).decode() if (body and is_binary) else text,
            "isBase64Encoded": bool(body and is_binary),
        }

    def _response(self, result: Any, request_id: str) -> tuple[int, list[tuple[str, str]], bytes]:
        if not isinstance(result, dict) or "statusCode" not in result:
            status, headers, body = envelope_error(502, "GU_1101", "Oops! Something went wrong.", request_id)
            return status, list(headers.items()), body
        pairs: list[tuple[str, str]] = []
        seen: set[str] = set()
        for name, values in (result.get("multiValueHeaders") or {}).items():
            seen.add(name.lower())
            pairs.extend((name, str(v)) for v in values)
        for name, value in (result.get("headers") or {}).items():
            if name.lower() not in seen:
                pairs.append((name, str(value)))
        raw = result.get("body") or ""
        body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode("utf-8")
        return int(result["statusCode"]), pairs, body


def _media_matches(pattern: str, content_type: str) -> bool:
    content_type = content_type.split(";", 1)[0].strip().lower()
    pattern = pattern.lower()
    if pattern in ("*/*", content_type):
        return bool(content_type) or pattern == "*/*"
    return pattern.endswith("/*") and content_type.startswith(pattern[:-1])


class _Handler(BaseHTTPRequestHandler):
    gateway: Gateway
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > REQUEST_LIMIT:
            # Do not read (or hold) a body API Gateway would refuse.
            status, refusal_headers, refusal = envelope_error(
                413, "GS_1413", "Request body too large (API Gateway accepts 10 MB)", str(uuid.uuid4())
            )
            self._write(status, list(refusal_headers.items()), refusal, close=True)
            return
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.gateway.handle(
            self.command, self.path, list(self.headers.items()), body, self.client_address[0]
        )
        self._write(status, list(headers.items()) if isinstance(headers, dict) else headers, payload)

    def _write(self, status: int, headers: list[tuple[str, str]], body: bytes, close: bool = False) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


class GatewayServer:
    def __init__(self, gateway: Gateway, port: int) -> None:
        handler = type("BoundHandler", (_Handler,), {"gateway": gateway})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> GatewayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
