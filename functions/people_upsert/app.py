"""PUT /v1/peoplemgmt/v1.0/people (alias PUT /v1.0/api/people): Gainsight's People API,
upsert one Person by Email with its Company Person records."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.people import upsert
from cscore.people.models import PersonUpsert

app = build_resolver(family="standard")


@app.put("/v1/peoplemgmt/v1.0/people")
@app.put("/v1.0/api/people")
def upsert_person(body: PersonUpsert) -> dict[str, Any]:
    return upsert.upsert_person(app.principal, body)


handler = lambda_entry(app)
