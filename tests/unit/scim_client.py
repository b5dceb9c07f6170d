"""A SCIM client for unit tests: requests go to the SCIM functions' handlers (found by
their template events, either base path), as API Gateway would route them."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cslocal.worker import LambdaContext, load_handler
from tests.support import api_event
from tests.unit.conftest import STACK

SCIM_FUNCTIONS = [f for f in STACK.functions() if f.code_dir.name.startswith("scim_")]
HANDLERS = {f.code_dir.name: load_handler(f.code_dir, f.handler, f"unit_{f.code_dir.name}") for f in SCIM_FUNCTIONS}


def _routes() -> list[tuple[str, re.Pattern[str], str, Any]]:
    routes = []
    for function in SCIM_FUNCTIONS:
        for event in function.events.values():
            props = event.get("Properties") or {}
            if event.get("Type") != "Api":
                continue
            path = props["Path"]
            pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$")
            routes.append((props["Method"].upper(), pattern, path, function))
    return routes


ROUTES = _routes()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


class ScimClient:
    def __init__(self, credential: str, base: str = "/scim/v2", bearer: bool = True) -> None:
        self.headers = {"Authorization": f"Bearer {credential}"} if bearer else {"accesskey": credential}
        self.base = base

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Answer:
        url = urlsplit(self.base + path)
        query = dict(parse_qsl(url.query, keep_blank_values=True)) or None
        routed = [(r, f, m) for v, p, r, f in ROUTES if v == method and (m := p.match(url.path))]
        if not routed:
            raise AssertionError(f"no SCIM route for {method} {url.path}")
        resource, function, match = routed[0]
        sent = {"Content-Type": "application/scim+json", **self.headers, **(headers or {})}
        event = api_event(method, url.path, None, body, match.groupdict() or None, resource, query=query, headers=sent)
        context = LambdaContext(function.name, 512, function.arn, str(uuid.uuid4()), 10_000)
        response = HANDLERS[function.code_dir.name](event, context)
        out_headers = {k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
        text = response.get("body") or ""
        return Answer(response["statusCode"], out_headers, json.loads(text) if text else None)

    def get(self, path: str, **kw: Any) -> Answer:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any, **kw: Any) -> Answer:
        return self.call("POST", path, body, **kw)

    def put(self, path: str, body: Any, **kw: Any) -> Answer:
        return self.call("PUT", path, body, **kw)

    def patch(self, path: str, body: Any, **kw: Any) -> Answer:
        return self.call("PATCH", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Answer:
        return self.call("DELETE", path, **kw)
