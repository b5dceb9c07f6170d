"""Gainsight's People API (SPEC §7): ``PUT /v1/peoplemgmt/v1.0/people`` (alias ``PUT
/v1.0/api/people``) upserts one Person by ``Email`` and adds its Company Person records.

- The person is found by its e-mail's unique item (``keys.unique_value(t, "Person",
  "Email", email)``: trimmed, case-insensitive), strongly consistent. Found: its fields
  are updated with those given (null clears one); not found: it is created (null and ""
  ignored). Fields: Person's writable standard fields (``catalog.PERSON``) and the
  tenant's Person custom fields, each checked as the data write API checks it (same codes
  and messages); any other name is a 400 naming it.
- ``companies: [{"Company_ID", "Title"?}]`` (at most 50): a Company Person record for each
  company the person has none with yet (Title as given); one it has gets the Title given.
  None is ever removed. Every Company_ID must name a company of the tenant the caller may
  access, else 400 ``GSOBJ_1004`` naming it and nothing is written.
- Atomic: the person, its unique item, its Company Person records and the counters go in
  one TransactWriteItems (at most 3 + 50 + 2 actions, under DynamoDB's 100). The person's
  write is conditioned on what was read (absent and its e-mail unclaimed, or its
  ModifiedDate), so of concurrent upserts of one new e-mail one creates the person and
  the others, cancelled, read again and update it. A Company Person record it adds has a
  GSID derived from the person and the company (``ids.derived_gsid``) and is put with
  ``attribute_not_exists``: two upserts cannot add the same link twice. After 3 cancelled
  attempts the answer is 409 ``GS_1409`` and nothing of the request is written.

Answer: ``data = {"Gsid", "created", "companyPersons": [{"Gsid", "Company_ID",
"created"}]}`` (one entry per company given, in order).

DynamoDB round trips: one BatchGetItem (the e-mail's unique item, the companies), for
an existing person one more (its record and its links by their derived keys) and, when
companies are given, one Query of the person's Company Person records (GSI3); the
permission decision (not for super admins); one TransactWriteItems.
"""

from __future__ import annotations

from typing import Any

from cscore.auth.principal import Principal
from cscore.catalog import COMPANY, COMPANY_PERSON, PERSON
from cscore.companies import schema
from cscore.companies.schema import Parsed
from cscore.errors import BadRequest, Conflict
from cscore.meta import fields as meta
from cscore.people import repository as repo
from cscore.people import service
from cscore.people.models import PersonUpsert
from cscore.permissions import access
from cscore.platform import clock, ids
from cscore.platform.dynamo import Item

ATTEMPTS = 3


def _parse(principal: Principal, given: dict[str, Any]) -> Parsed:
    parsed = schema.parse_record(
        given, insert=False, custom=meta.for_object(principal.tenant, PERSON.name), definition=PERSON
    )
    if not parsed.problems and not parsed.values.get("Email"):
        parsed.problems.append(schema.Problem(schema.REQUIRED_NULL, "Email: required to find or create the person"))
    if parsed.problems:
        first = parsed.problems[0]
        raise BadRequest("; ".join(p.message for p in parsed.problems), code=first.code)
    return parsed


def _companies(body: PersonUpsert) -> list[tuple[str, str | None, bool]]:
    """(Company_ID, Title, whether Title was given) per distinct company, in order."""
    found: dict[str, tuple[str, str | None, bool]] = {}
    for i, entry in enumerate(body.companies or []):
        company = entry.Company_ID.strip()
        if not ids.is_gsid(company, COMPANY.shape.gsid_prefix):
            raise BadRequest(f"companies[{i}].Company_ID: {company!r} is not a Company GSID", code=schema.BAD_GSID)
        title = entry.Title.strip() if entry.Title and entry.Title.strip() else None
        if title is not None and len(title) > COMPANY_PERSON["Title"].max_length:
            limit = COMPANY_PERSON["Title"].max_length
            raise BadRequest(f"companies[{i}].Title: longer than {limit} characters", code=schema.TOO_LONG)
        found[company] = (company, title, "Title" in entry.model_fields_set)
    return list(found.values())


def upsert_person(principal: Principal, body: PersonUpsert) -> dict[str, Any]:
    """PUT /v1/peoplemgmt/v1.0/people: create or update one person and add its companies."""
    given = body.model_dump(exclude_unset=True)
    given.pop("companies", None)
    parsed = _parse(principal, given)
    links = _companies(body)
    tenant_id = principal.tenant_id
    email = str(parsed.values["Email"])
    for attempt in range(ATTEMPTS):
        if attempt:
            service.backoff(attempt - 1)
        snapshot = repo.Snapshot(tenant_id)
        email_key = repo.unique_key(PERSON, tenant_id, "Email", email)
        company_keys = {c: repo.record_key(COMPANY, tenant_id, c) for c, _, _ in links}
        snapshot.fetch([email_key, *company_keys.values()])
        _check_companies(principal, links, snapshot, company_keys)
        owner = (snapshot.get(email_key) or {}).get("gsid")
        before: dict[str, Any] | None = None
        if owner is not None:  # the person and the links this API would have added, in one read
            person_key = repo.record_key(PERSON, tenant_id, str(owner))
            link_keys = [
                repo.record_key(COMPANY_PERSON, tenant_id, repo.company_person_gsid(str(owner), c)) for c, _, _ in links
            ]
            snapshot.fetch([person_key, *link_keys])
            before = snapshot.get(person_key)
        now = clock.iso()
        audit = {"ModifiedDate": now, "ModifiedBy": principal.user_gsid}
        if before is None:
            person = {"Gsid": ids.new_gsid(PERSON.shape.gsid_prefix), "CreatedDate": now}
            person |= {"CreatedBy": principal.user_gsid, **parsed.values, **audit}
            person = {k: v for k, v in person.items() if v is not None}
            writes = [repo.insert(PERSON, tenant_id, person, snapshot)]
        else:
            person = {k: v for k, v in {**repo.public(before), **parsed.values, **audit}.items() if v is not None}
            writes = [repo.update(PERSON, tenant_id, before, person, snapshot)]
        existing = _existing_links(tenant_id, before, links, snapshot)
        answered = []
        for company, title, title_given in links:
            link = existing.get(company)
            if link is None:
                gsid = repo.company_person_gsid(str(person["Gsid"]), company)
                record = {"Gsid": gsid, "CompanyId": company, "PersonId": person["Gsid"], "CreatedDate": now}
                record |= {"CreatedBy": principal.user_gsid, **audit} | ({"Title": title} if title else {})
                writes.append(repo.insert(COMPANY_PERSON, tenant_id, record, snapshot))
            elif title_given and link.get("Title") != title:
                after = {k: v for k, v in {**repo.public(link), "Title": title, **audit}.items() if v is not None}
                writes.append(repo.update(COMPANY_PERSON, tenant_id, link, after, snapshot))
            answered.append({"Gsid": (link or {}).get("Gsid") or gsid, "Company_ID": company, "created": link is None})
        if repo.transact(tenant_id, writes):
            return {"Gsid": person["Gsid"], "created": before is None, "companyPersons": answered}
    raise Conflict("The person changed while it was being written; nothing was written, try again")


def _check_companies(
    principal: Principal,
    links: list[tuple[str, str | None, bool]],
    snapshot: repo.Snapshot,
    company_keys: dict[str, Item],
) -> None:
    """Every company given exists and the caller may access it (a hidden one is one that
    does not exist, SPEC §4.3); else 400 naming the first that does not."""
    found = {c: snapshot.get(k) for c, k in company_keys.items()}
    present = [c for c, _, _ in links if found[c] is not None]
    allowed = access.permitted(principal, [repo.public(found[c] or {}) for c in present]) if present else []
    visible = {c for c, ok in zip(present, allowed, strict=True) if ok}
    for i, (company, _, _) in enumerate(links):
        if company not in visible:
            raise BadRequest(f"companies[{i}].Company_ID: no company with GSID {company}", code=schema.BAD_GSID)


def _existing_links(
    tenant_id: str, person: dict[str, Any] | None, links: list[tuple[str, str | None, bool]], snapshot: repo.Snapshot
) -> dict[str, dict[str, Any]]:
    """The person's Company Person records of the companies given, by company: those this
    API added (read by their derived keys, strongly consistent) and any other (synced,
    or written through the data API), from the person's GSI3 partition."""
    if person is None or not links:
        return {}
    found: dict[str, dict[str, Any]] = {}
    for company, _, _ in links:
        link = snapshot.get(
            repo.record_key(COMPANY_PERSON, tenant_id, repo.company_person_gsid(str(person["Gsid"]), company))
        )
        if link is not None:
            found[company] = link
    wanted = {c for c, _, _ in links} - set(found)
    if wanted:
        for record in repo.persons_companies(tenant_id, str(person["Gsid"])):
            company = str(record.get("CompanyId"))
            if company in wanted and company not in found:
                found[company] = record
    return found
