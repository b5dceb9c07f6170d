"""The one resolver setup every API handler uses.

``build_resolver`` gives a Powertools REST resolver that wraps route results in the
envelope and maps every error to it; ``lambda_entry`` wraps it with observability and
the contract middleware (request id, authentication, rate limit, authorization).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths

from cscore.api import envelope, middleware, request
from cscore.auth.authorization import Access
from cscore.auth.principal import Principal
from cscore.errors import BadRequest, InternalError, NotFound
from cscore.platform import request_model
from cscore.platform.observability import logger, metrics, tracer
from cscore.scim import answers as scim_answers
from cscore.scim import errors as scim_errors

Family = Literal["users", "standard", "bulk"]
AuthScheme = Literal["credential", "oauth_client", "none"]
# How answers look: the envelope of SPEC §1.2, or SCIM's own JSON (RFC 7644: the
# resource or ListResponse itself, errors as SCIM Error messages, application/scim+json).
Shape = Literal["envelope", "scim"]

SCIM_BASES = ("/v1/users/services/scim", "/scim/v2")

CORS = CORSConfig(
    allow_origin="*",
    allow_headers=["accesskey", "Authorization", "Content-Type", "Idempotency-Key"],
    expose_headers=["X-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"],
)


class EnvelopeResponse(Response):  # type: ignore[type-arg]
    """A Response whose body already is the envelope (so it is not wrapped again)."""


class ApiResolver(APIGatewayRestResolver):
    """A REST resolver that knows its endpoint's family, auth scheme and required access."""

    def __init__(
        self,
        *,
        family: Family | None,
        auth: AuthScheme,
        access: Access,
        media_types: tuple[str, ...],
        shape: Shape = "envelope",
    ) -> None:
        super().__init__(cors=CORS, enable_validation=True)
        self.shape = shape
        if auth != "none" and family is None:
            raise ValueError("an authenticated endpoint belongs to a rate-limit family")
        self.family = family
        self.auth_scheme = auth
        self.access = access
        self.media_types = media_types
        self.use(middlewares=[_envelope])
        # Powertools' own errors become domain errors; every error then leaves the
        # resolver for the one mapping to the envelope (``middleware.api_contract``).
        self.exception_handler(RequestValidationError)(_invalid_request)
        self.exception_handler(NotFoundError)(_no_route)
        self.exception_handler(Exception)(_passed_on)

    @property
    def principal(self) -> Principal:
        principal = self.context.get("principal")
        if principal is None:
            raise InternalError("no authenticated principal for this request")
        return principal  # type: ignore[no-any-return]

    @property
    def request_id(self) -> str:
        return str(self.context.get("request_id") or "")

    def scim(self, answer: scim_answers.Answer) -> Response[Any]:
        """A SCIM answer as it goes out: its status, JSON body and headers."""
        body = json.dumps(answer.body, separators=(",", ":")) if answer.body is not None else ""
        return Response(answer.status, scim_errors.MEDIA_TYPE, body, dict(answer.headers))

    def scim_base_url(self) -> str:
        """The public URL of the SCIM base the request came through (either alias)."""
        event = self.current_event.raw_event
        path = str(event.get("path") or "")
        for base in SCIM_BASES:
            if base in path:
                return request.public_url(event, path[: path.index(base) + len(base)])
        return request.public_url(event, SCIM_BASES[0])

    def respond(self, data: Any, status: int = 200, **top_level: Any) -> Response[Any]:
        """An envelope answer with a status other than 200 or with extra top-level keys."""
        return EnvelopeResponse(status, envelope.JSON, envelope.success(data, self.request_id, **top_level))


def _invalid_request(error: RequestValidationError) -> Response[Any]:
    raise BadRequest(request_model.describe(error.errors()))


def _no_route(_: NotFoundError) -> Response[Any]:
    raise NotFound("No route for this method and path")


def _passed_on(error: Exception) -> Response[Any]:
    raise error  # handled, so that Powertools does not log it a second time


def _envelope(app: ApiResolver, next_middleware: Callable[..., Any]) -> Any:
    """What a route returns becomes the envelope's ``data`` (Powertools has already made
    it a Response with the value as body); envelope responses and raw bodies (str/bytes,
    e.g. an HTML page or a CSV file) pass through untouched."""
    result = next_middleware(app)
    if app.shape == "scim":
        return result
    if isinstance(result, EnvelopeResponse) or (isinstance(result, Response) and isinstance(result.body, (str, bytes))):
        return result
    if isinstance(result, Response):
        wrapped = app.respond(result.body, result.status_code)
        wrapped.headers.update(result.headers)
        return wrapped
    return app.respond(result)


def build_resolver(
    *,
    family: Family | None,
    auth: AuthScheme = "credential",
    access: Access = "any",
    media_types: tuple[str, ...] = (),
    shape: Shape = "envelope",
) -> ApiResolver:
    """The resolver of one API function. A route's typed parameters (a ``RequestModel``
    body, ``Query`` values) are validated before it runs (400 naming the field);
    ``media_types`` are the body types it takes besides JSON (e.g. ``request.FORM``),
    415 for others."""
    return ApiResolver(family=family, auth=auth, access=access, media_types=media_types, shape=shape)


def lambda_entry(app: ApiResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda handler for a resolver: observability outside, the contract inside."""

    def resolve(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return app.resolve(event, context)

    handler = middleware.request_checked(resolve, app=app)
    if app.auth_scheme != "none":
        handler = middleware.authorized(handler, app=app)
        handler = middleware.rate_limited(handler, app=app)
        handler = middleware.authenticated(handler, app=app)
    handler = middleware.api_contract(handler, app=app)
    handler = metrics.log_metrics(handler)
    if tracer is not None:
        handler = tracer.capture_lambda_handler(handler, capture_response=False)
    return logger.inject_lambda_context(
        handler, correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True
    )
