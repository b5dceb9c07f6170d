"""Primary keys of the tenant table: every item of a tenant lives under ``T#<tenantId>``.

One place for the key shapes, so docs/data-model.md and the code cannot drift apart.
"""

from __future__ import annotations

from cscore.platform.dynamo import Item, key

TENANT_SK = "TENANT"
TENANT_REGISTRY_PK = "TENANTS"  # one small partition listing tenants, for bootstrap and admin


def tenant(tenant_id: str) -> Item:
    return key(f"T#{tenant_id}", TENANT_SK)


def tenant_registry(tenant_id: str) -> Item:
    return key(TENANT_REGISTRY_PK, tenant_id)


def credential(tenant_id: str, secret_digest: str) -> Item:
    """An access key or Bearer token, found by the hash of the presented secret."""
    return key(f"T#{tenant_id}#AUTH#{secret_digest}", "AUTH")


def oauth_client(tenant_id: str, client_gsid: str) -> Item:
    return key(f"T#{tenant_id}#OAUTHCLIENT#{client_gsid}", "OAUTHCLIENT")


def credentials_index(tenant_id: str) -> str:
    """GSI1 partition listing a tenant's access keys and OAuth clients."""
    return f"T#{tenant_id}#AUTH"


RECORD_SK = "RECORD"
INDEX_SK = "IDX"


def record(tenant_id: str, obj: str, gsid: str) -> Item:
    """A record of an object (User, Company, Person, ...), by GSID; CompanyTeam by its
    normalized natural key instead (``catalog.shapes.Shape.record_key``)."""
    return key(f"T#{tenant_id}#{obj}#{gsid}", RECORD_SK)


def user(tenant_id: str, gsid: str) -> Item:
    return record(tenant_id, "User", gsid)


def normalized(value: object) -> str:
    """How looked-up values are compared: trimmed, case-insensitive."""
    return str(value).strip().lower()


def lookup_index(tenant_id: str, obj: str, field: str, value: object) -> Item:
    """Index item of one looked-up value (e.g. Company Name "Acme"): attribute ``gsids``
    holds the GSIDs of every record with that value, oldest first. Written in the same
    transaction as the record; read with BatchGetItem, so lookups are strongly
    consistent and cost one call per 100 values."""
    return key(f"T#{tenant_id}#IDX#{obj}#{field}#{normalized(value)}", INDEX_SK)


def unique_value(tenant_id: str, obj: str, field: str, value: str) -> Item:
    """Uniqueness guard (e.g. SFDCUserName), written in the same transaction as its record."""
    return key(f"T#{tenant_id}#UNIQ#{obj}#{field}#{normalized(value)}", "UNIQ")


WORD_SK_SEPARATOR = "\x01"  # as ``by_name``'s: sorts below every printable character


def word_partition(tenant_id: str, obj: str, field: str, text: str) -> str:
    """The partition of the word items of one field whose text starts with ``text``'s
    first character: a prefix search reads one partition, and a tenant's writes spread
    over as many partitions as its names have first letters of words."""
    return f"T#{tenant_id}#WORD#{obj}#{field}#{text[:1]}"


def word(tenant_id: str, obj: str, field: str, text: str, gsid: str) -> Item:
    """Word item of one record: ``text`` is its (lower-cased) field value from the start of
    one word after the first to the end (``catalog.shapes.word_starts``). A ``begins_with``
    Query on the sort key finds every record with a word starting with a given prefix."""
    return key(word_partition(tenant_id, obj, field, text), f"{text}{WORD_SK_SEPARATOR}{gsid}")


def outbox(tenant_id: str, outbox_id: str) -> Item:
    """Follow-up work of one users write (bundles, welcome e-mails), written in the same
    transaction as the users and deleted once the users worker has done it."""
    return key(f"T#{tenant_id}#OUTBOX", outbox_id)


# GSI1 partition of every tenant's outbox items by creation time: the sweep finds work
# a dead invocation left behind.
OUTBOX_INDEX = "OUTBOX"


def permission_bundle(tenant_id: str, name: str) -> Item:
    """A permission bundle, by its name (what users name in ``permissionBundles``); all
    of a tenant's bundles share one partition."""
    return key(f"T#{tenant_id}#BUNDLE", name)


def bundle_by_id(tenant_id: str, bundle_id: str) -> Item:
    """A bundle's id (attribute ``name``): SCIM's Group id, which stays when it is renamed."""
    return key(f"T#{tenant_id}#BUNDLEID", bundle_id)


def bundle_members(tenant_id: str, bundle_id: str) -> str:
    """The partition of one bundle's member items (sort key: the user's GSID): written in
    the transaction that changes the user's ``permissionBundles``."""
    return f"T#{tenant_id}#BUNDLEMEMBER#{bundle_id}"


def bundle_member(tenant_id: str, bundle_id: str, user_gsid: str) -> Item:
    return key(bundle_members(tenant_id, bundle_id), user_gsid)


def object_index(tenant_id: str, obj: str) -> str:
    """GSI1 partition listing one object type of a tenant by ModifiedDate; also the GSI2
    partition listing User, Company and Person by name."""
    return f"T#{tenant_id}#{obj}"


def related(tenant_id: str, obj: str, via: str, gsid: str) -> str:
    """GSI2/GSI3 partition listing the records of ``obj`` that refer to one record of
    another object: ``related(t, "CompanyTeam", "Company", companyGsid)`` is a company's
    team, ``related(t, "CompanyTeam", "User", userGsid)`` a user's companies,
    ``related(t, "CompanyPerson", "Company" | "Person", gsid)`` a company's persons or a
    person's companies. ``via`` names the referenced object, ``gsid`` the referenced record."""
    return f"T#{tenant_id}#{obj}#{via}#{gsid}"


def counter(tenant_id: str, obj: str) -> Item:
    """How many records of an object a tenant has (attribute ``total``): unfiltered
    ``includeTotal`` reads this instead of every record."""
    return key(f"T#{tenant_id}#COUNTERS", obj)


# The sync job that created a record (its jobId), set by the sync's store and never by
# input: what a job's deletes and reconcile may touch (sync/ownership.py).
SYNC_OWNER = "syncJob"
# Attributes of a record item that are not fields of the record: its keys, its owner.
STORAGE_ATTRIBUTES = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", SYNC_OWNER)
# Sorts before every printable character, so "Ann" + SEP sorts before "Ann B" + SEP, as
# the query engine orders the names themselves.
_SORT_SEPARATOR = "\x01"


def by_modified_date(modified_date: str, gsid: str) -> str:
    """GSI1 sort key: ModifiedDate (fixed-width ISO-8601), then GSID to break ties."""
    return f"{modified_date}{_SORT_SEPARATOR}{gsid}"


def by_name(name: object, gsid: str) -> str:
    """GSI2 sort key: the name as the query engine compares it (lower-cased), then GSID."""
    return f"{str(name or '').lower()}{_SORT_SEPARATOR}{gsid}"
