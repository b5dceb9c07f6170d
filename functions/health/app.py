"""GET /health: liveness, no key, not rate limited."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry

app = build_resolver(family=None, auth="none")


@app.get("/health")
def health() -> dict[str, Any]:
    return {"status": "UP"}


handler = lambda_entry(app)
