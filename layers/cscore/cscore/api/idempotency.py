"""``Idempotency-Key``: a retried request gets the first answer instead of running again
(SPEC §2.1), for 24 hours. Powertools idempotency on the idempotency table; the key is
scoped to the tenant, so two tenants can use the same key value.

The first request's "in progress" lasts as long as its invocation can (the Lambda
context's remaining time): a retry after an invocation that timed out or was killed is
processed, not refused for 24 hours."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cscore.errors import BadRequest, Conflict
from cscore.platform import idempotency_store

HEADER = "Idempotency-Key"
LIFETIME_SECONDS = 24 * 3600


def once(
    tenant_id: str, key: str | None, payload: Any, compute: Callable[[], dict[str, Any]], context: Any
) -> dict[str, Any]:
    """``compute()``, or the answer it gave the first time for this tenant and key;
    ``context`` is the invocation's Lambda context.

    Failures are not remembered (a retry runs again); a key reused with another payload
    is refused, as is a retry while the first request is still running."""
    if key is None:
        return compute()
    if not 1 <= len(key) <= 255:
        raise BadRequest(f"{HEADER}: must be 1 to 255 characters")
    # Imported here: only requests that carry the header pay for it at cold start.
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    store = idempotency_store.persistence_layer()
    settings = IdempotencyConfig(
        event_key_jmespath="[tenant, key]",
        payload_validation_jmespath="payload",
        expires_after_seconds=LIFETIME_SECONDS,
    )
    settings.register_lambda_context(context)

    @idempotent_function(data_keyword_argument="request", persistence_store=store, config=settings)  # type: ignore[untyped-decorator]
    def run(request: dict[str, Any]) -> dict[str, Any]:
        return compute()

    try:
        return run(request={"tenant": tenant_id, "key": key, "payload": payload})  # type: ignore[no-any-return]
    except IdempotencyAlreadyInProgressError as exc:
        raise Conflict(f"{HEADER}: the first request with this key is still running") from exc
    except IdempotencyValidationError as exc:
        raise BadRequest(f"{HEADER}: already used for a different request") from exc
