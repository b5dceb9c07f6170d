"""The objects of a tenant (SPEC §2.1, §4b), each declared once: its fields, storage shape
(the table in ``catalog.shapes``) and what its indexes keep in order. Everything else is
derived (``catalog.model``): ``X.query_schema`` for the query language, ``X.writable`` and
``X.protected`` for every write path, ``X.shape`` for every writer and reader of items,
the standard fields the metadata API lists.
"""

from __future__ import annotations

from collections.abc import Mapping

from cscore.catalog import shapes
from cscore.catalog.model import ObjectDef, ObjectField, Write
from cscore.catalog.shapes import Shape
from cscore.platform import ids
from cscore.query.model import FieldType

S, N, B, D, DT = FieldType.STRING, FieldType.NUMBER, FieldType.BOOLEAN, FieldType.DATE, FieldType.DATETIME
P, G = FieldType.PICKLIST, FieldType.GSID
PLATFORM, PRODUCT = Write.PLATFORM, Write.PRODUCT
MAX_LONG_TEXT = 32_768  # characters of a free text field (an address, a summary)


def _gsid(obj: str) -> ObjectField:
    return ObjectField("Gsid", G, target=obj, write=PLATFORM)


_AUDIT = (
    ObjectField("CreatedDate", DT, write=PLATFORM),
    ObjectField("ModifiedDate", DT, write=PLATFORM),
    ObjectField("CreatedBy", G, target="User", write=PLATFORM),
    ObjectField("ModifiedBy", G, target="User", write=PLATFORM),
)

USER = ObjectDef(
    "User",
    (
        _gsid("User"),
        ObjectField("Name", S),
        ObjectField("FirstName", S),
        ObjectField("LastName", S),
        ObjectField("Email", S, form="email"),
        ObjectField("SFDCUserName", S, form="email"),
        ObjectField("SfdcUserId", S, write=Write.SET_ONCE, max_length=18),
        ObjectField("LicenseType", P, picklist="LicenseType"),
        ObjectField("SystemType", P, picklist="SystemType"),
        ObjectField("IsSuperAdmin", B, write=PRODUCT, reason="no input makes or unmakes a super admin"),
        ObjectField("IsActiveUser", B),
        ObjectField("GainsightLicenseEnabled", B),
        ObjectField("Manager", G, target="User"),
        ObjectField("CompanyID", G, target="Company"),
        ObjectField("Timezone", S, form="timezone"),
        ObjectField("Locale", S, form="locale"),
        ObjectField("Title", S),
        ObjectField("ProfilePicture", S, max_length=2048),
        ObjectField("Status", S, write=Write.DERIVED, reason="derived from IsActiveUser"),
        ObjectField("permissionBundles", S, write=PRODUCT, reason="assigned through the users API", form="names"),
        *_AUDIT,
    ),
    Shape(
        "User",
        ids.USER,
        unique_fields=("SFDCUserName", "SfdcUserId"),
        index_fields=("Email", "FullName"),
        word_fields=("Name",),
        derived={"FullName": shapes.full_name},
        gsi2=shapes.by_name("User", lambda r: r.get("Name")),
    ),
    index_ordered=frozenset({"ModifiedDate", "Name"}),
    derived={"Status": lambda user: "Active" if user.get("IsActiveUser", True) else "Inactive"},
    api_name="gsuser",
)
COMPANY = ObjectDef(
    "Company",
    (
        _gsid("Company"),
        ObjectField("Name", S, required=True),
        ObjectField("SfdcAccountId", S),
        ObjectField("Industry", S),
        ObjectField("Type", S),
        ObjectField("Website", S),
        ObjectField("ParentCompany", G, target="Company", aliases={"ParentCompanyName": "Name"}),
        ObjectField(
            "Csm",
            G,
            target="User",
            aliases={"CsmEmail": "Email", "CsmFullName": "FullName"},
            alias_parts={"CsmFullName": ("CSMFirstName", "CSMLastName")},
        ),
        ObjectField("Status", S),
        ObjectField("Stage", S),
        ObjectField("ARR", N),
        ObjectField("MRR", N),
        ObjectField("Employees", N),
        ObjectField("LifecycleInWeeks", N),
        ObjectField("OriginalContractDate", D),
        ObjectField("RenewalDate", D),
        # What Gainsight's Company object also has and its clients send (SPEC §7).
        ObjectField("BillingAddress", S, max_length=MAX_LONG_TEXT),
        ObjectField("CompanyType", S),
        ObjectField("CustomerLifetimeInMonths", N),
        ObjectField("IndustryNew", S),
        ObjectField("ManagedAs", S),
        ObjectField("Summary", S, max_length=MAX_LONG_TEXT),
        ObjectField("Tags", S, form="names"),
        ObjectField("TickerSymbol", S),
        ObjectField("Users", N),
        *_AUDIT,
    ),
    Shape(
        "Company",
        ids.COMPANY,
        index_fields=("Name", "SfdcAccountId"),
        word_fields=("Name",),
        gsi2=shapes.by_name("Company", lambda r: r.get("Name")),
    ),
    index_ordered=frozenset({"ModifiedDate", "Name"}),
    company_field="Gsid",
    api_name="company",
)
PERSON = ObjectDef(
    "Person",
    (
        _gsid("Person"),
        ObjectField("Email", S, required=True),
        ObjectField("Name", S),
        ObjectField("FirstName", S),
        ObjectField("LastName", S),
        ObjectField("Title", S),
        ObjectField("Phone", S),
        # What Gainsight's People API writes beside the names (SPEC §7).
        ObjectField("LinkedinUrl", S, max_length=2048),
        ObjectField("Location", S),
        ObjectField("Timezone", S),
        *_AUDIT,
    ),
    Shape("Person", ids.PERSON, unique_fields=("Email",), gsi2=shapes.by_name("Person", shapes.person_name)),
    api_name="person",
)
COMPANY_PERSON = ObjectDef(
    "CompanyPerson",
    (
        _gsid("CompanyPerson"),
        ObjectField("CompanyId", G, target="Company", required=True, api_names=("Company_ID",)),
        ObjectField("PersonId", G, target="Person", required=True, api_names=("Person_ID",)),
        ObjectField("SfdcContactId", S),
        ObjectField("Title", S),
        *_AUDIT,
    ),
    Shape(
        "CompanyPerson",
        ids.COMPANY_PERSON,
        unique_fields=("SfdcContactId",),
        gsi2=shapes.related("CompanyPerson", "Company", "CompanyId", "Gsid"),
        gsi3=shapes.related("CompanyPerson", "Person", "PersonId", "Gsid"),
    ),
    company_field="CompanyId",
    references={"CompanyId": ("Company", "GSI2"), "PersonId": ("Person", "GSI3")},
    api_name="company_person",
)
_MANAGED = "computed from the member's managers"
COMPANY_TEAM = ObjectDef(
    "CompanyTeam",
    (
        _gsid("CompanyTeam"),
        ObjectField("CompanyId", G, target="Company"),
        ObjectField("UserId", G, target="User"),
        # A picklist item GSID (or, before the picklist exists, a label): compared as text.
        ObjectField("TeamRole", S),
        ObjectField("UserAccess", S),
        ObjectField("UserSource", S),
        *(ObjectField(f"UserManagerRole{k}", G, target="User", write=PRODUCT, reason=_MANAGED) for k in (1, 2, 3)),
        ObjectField("SfdcAccountTeamMemberId", S),
        *_AUDIT,
    ),
    Shape(
        "CompanyTeam",
        ids.COMPANY_TEAM,
        record_key_field="CompanyUser",
        unique_fields=("SfdcAccountTeamMemberId",),
        index_fields=tuple(shapes.MANAGER_INDEXES),
        derived={"CompanyUser": shapes.company_user, **shapes.MANAGER_INDEXES},
        gsi2=shapes.related("CompanyTeam", "Company", "CompanyId", "UserId"),
        gsi3=shapes.related("CompanyTeam", "User", "UserId", "CompanyId"),
    ),
    company_field="CompanyId",
    references={"CompanyId": ("Company", "GSI2"), "UserId": ("User", "GSI3")},
    api_name="company_team",
)

OBJECTS: Mapping[str, ObjectDef] = {o.name: o for o in (USER, COMPANY, PERSON, COMPANY_PERSON, COMPANY_TEAM)}
SHAPES: Mapping[str, Shape] = {name: o.shape for name, o in OBJECTS.items()}
# Every name of an object in lower case: this product's (``companyperson``) and
# Gainsight's API name (``company_person``).
_BY_LOWER_NAME: Mapping[str, ObjectDef] = {
    **{o.api_name: o for o in OBJECTS.values()},
    **{o.name.lower(): o for o in OBJECTS.values()},
}


def resolve_object(name: str) -> ObjectDef | None:
    """The object a client's name means (SPEC §7): this product's name or Gainsight's API
    name, in any case, surrounding blanks ignored; None when it names none."""
    return OBJECTS.get(name) or _BY_LOWER_NAME.get(name.strip().lower())
