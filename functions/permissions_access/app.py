"""GET /v1/permissions/company/access?userId=&companyId=: may this user access this
company, and why ({allowed, reasons}; SPEC §4.3). Anyone may ask about themselves."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.permissions import access

app = build_resolver(family="standard")


@app.get("/v1/permissions/company/access")
def check_access(
    companyId: Annotated[str, Query(min_length=1)],
    userId: Annotated[str | None, Query(min_length=1)] = None,
) -> dict[str, Any]:
    return access.check(app.principal, userId, companyId)


handler = lambda_entry(app)
