"""GET /v1/permissions/company/access?userId=&companyId=: may this user access this
company, and why ({allowed, reasons}; SPEC §4.3). Anyone may ask about themselves."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.permissions import access

app = build_resolver(family="standard")


@app.get("/v1/permissions/company/access")
def check_access() -> dict:
    event = app.current_event.raw_event
    return access.check(app.principal, request.flag(event, "userId"), request.flag(event, "companyId"))


handler = lambda_entry(app)
