"""Handler middleware (Powertools ``lambda_handler_decorator``) that every API function
runs before its route: request id, authentication, rate limit, the request check, and
the security headers of every answer.

They run outside the resolver on purpose: a caller without a valid key learns nothing
about the endpoint (401 before any body validation), and every authenticated request
is counted against its family before any work is done. Errors raised here are turned
into the envelope by ``api_contract``, the outermost one.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Protocol

from aws_lambda_powertools.middleware_factory import lambda_handler_decorator

from cscore.api import failures, languages, request
from cscore.auth import authorization
from cscore.auth import service as auth
from cscore.auth.authorization import Access
from cscore.auth.principal import Principal
from cscore.errors import ApiError
from cscore.platform import html
from cscore.platform.observability import logger, metrics
from cscore.ratelimit import service as ratelimit


class Endpoint(Protocol):
    """What the middleware reads of the endpoint it runs for (``resolver.ApiResolver``):
    named here so that the resolver depends on the middleware and not the other way."""

    @property
    def family(self) -> str | None: ...
    @property
    def auth_scheme(self) -> str: ...
    @property
    def access(self) -> Access: ...
    @property
    def media_types(self) -> tuple[str, ...]: ...
    @property
    def shape(self) -> str: ...
    @property
    def principal(self) -> Principal: ...
    @property
    def context(self) -> dict[str, Any]: ...
    def append_context(self, **additional_context: Any) -> None: ...
    def clear_context(self) -> None: ...


def request_id_of(event: dict[str, Any]) -> str:
    """API Gateway's request id when it is a UUID (it is, on REST APIs), else a new one."""
    candidate = str((event.get("requestContext") or {}).get("requestId") or "")
    try:
        return str(uuid.UUID(candidate))
    except ValueError:
        return str(uuid.uuid4())


def _add_headers(response: dict[str, Any], headers: dict[str, str], *, keep_existing: bool = False) -> dict[str, Any]:
    multi = response.setdefault("multiValueHeaders", {}) or {}
    single = response.get("headers") or {}
    present = {name.lower() for name in (*multi, *single)}
    for name, value in headers.items():
        if keep_existing and name.lower() in present:
            continue
        multi[name] = [value]
        single[name] = value
    response["multiValueHeaders"] = multi
    response["headers"] = single
    return response


@lambda_handler_decorator
def api_contract(handler: Any, event: dict[str, Any], context: Any, app: Endpoint) -> dict[str, Any]:
    """Request id everywhere (body, header, logs); any error below, the route's included,
    becomes the envelope here and only here (``failures``)."""
    request_id = request_id_of(event)
    logger.append_keys(requestId=request_id)
    # Middleware below adds to this dict; the resolver clears its context when it is done.
    headers = {"X-Request-Id": request_id}
    app.append_context(request_id=request_id, response_headers=headers)
    started = time.perf_counter()
    try:
        response = handler(event, context)
    except Exception as error:  # noqa: BLE001 - the contract: no stack trace ever reaches a client
        response = failures.failure_response(error, request_id, languages.of_event(event), app.shape)
    app.clear_context()
    logger.info(
        "request",
        extra={
            "method": event.get("httpMethod"),
            "path": event.get("path"),
            "status": response.get("statusCode"),
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    _add_headers(response, headers)
    return _add_headers(response, html.SECURITY_HEADERS, keep_existing=True)


@lambda_handler_decorator
def authenticated(handler: Any, event: dict[str, Any], context: Any, app: Endpoint) -> dict[str, Any]:
    """Who calls, by the resolver's scheme (access key or Bearer token; or the OAuth client)."""
    if app.auth_scheme == "credential":
        principal = auth.authenticate(event.get("headers"))
    else:  # "oauth_client": the token endpoint authenticates the client itself
        principal = auth.authenticate_client(event.get("headers"), request.fields(event))
    app.append_context(principal=principal)
    logger.append_keys(tenantId=principal.tenant_id, userGsid=principal.user_gsid)
    return handler(event, context)  # type: ignore[no-any-return]


@lambda_handler_decorator
def authorized(handler: Any, event: dict[str, Any], context: Any, app: Endpoint) -> dict[str, Any]:
    """SPEC §1.1's table: the endpoint's required role (after counting the request)."""
    authorization.require(app.principal, app.access)
    return handler(event, context)  # type: ignore[no-any-return]


@lambda_handler_decorator
def rate_limited(handler: Any, event: dict[str, Any], context: Any, app: Endpoint) -> dict[str, Any]:
    """One conditional UpdateItem admits the request in its family (SPEC §1.3)."""
    principal = app.principal
    headers: dict[str, str] = app.context["response_headers"]
    try:
        decision = ratelimit.admit(principal.tenant_id, str(app.family), principal.limit_overrides)
    except ApiError as refused:
        metrics.add_metric(name="RateLimited", unit="Count", value=1)
        headers.update(refused.headers)
        raise
    headers.update(decision.headers)
    return handler(event, context)  # type: ignore[no-any-return]


@lambda_handler_decorator
def request_checked(handler: Any, event: dict[str, Any], context: Any, app: Endpoint) -> dict[str, Any]:
    """The door: input that could poison storage, or that no route reads, goes no further
    (``request.checked``)."""
    request.checked(event, app.media_types)
    return handler(event, context)  # type: ignore[no-any-return]
