"""The sObjects this org knows, with Salesforce's field names, types and flags.

describe, SOQL type checking, record validation and JSON formatting all read from here,
so a field exists (or not) identically on every wire path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sforg import ids

STRING_TYPES = frozenset({"string", "picklist", "email", "url", "phone", "textarea"})
NUMBER_TYPES = frozenset({"int", "double", "currency"})
SYSTEM_FIELDS = frozenset({"Id", "CreatedDate", "LastModifiedDate", "SystemModstamp", "IsDeleted"})


@dataclass(frozen=True)
class Field:
    """One field: the attributes describe reports and the checks writes and SOQL apply."""

    name: str
    type: str
    label: str
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    required: bool = False
    reference_to: tuple[str, ...] = ()
    length: int = 0
    picklist: tuple[str, ...] = ()

    @property
    def custom(self) -> bool:
        return self.name.endswith("__c")

    @property
    def relationship_name(self) -> str | None:
        if self.type != "reference" or not self.name.endswith("Id"):
            return None
        return self.name[:-2]

    def describe(self) -> dict[str, object]:
        """The field entry of /sobjects/X/describe (the attributes clients actually read)."""
        soap = {
            "id": "tns:ID",
            "reference": "tns:ID",
            "boolean": "xsd:boolean",
            "int": "xsd:int",
            "double": "xsd:double",
            "currency": "xsd:double",
            "datetime": "xsd:dateTime",
            "date": "xsd:date",
        }.get(self.type, "xsd:string")
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "soapType": soap,
            "length": self.length,
            "nillable": self.nillable,
            "createable": self.createable,
            "updateable": self.updateable,
            "custom": self.custom,
            "filterable": True,
            "sortable": self.type != "textarea",
            "groupable": self.type not in ("datetime", "double", "currency", "textarea"),
            "idLookup": self.name == "Id" or self.name in ("Username", "Email"),
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship_name,
            "defaultedOnCreate": self.name in SYSTEM_FIELDS or self.type == "boolean",
            "picklistValues": [
                {"active": True, "defaultValue": False, "label": v, "validFor": None, "value": v} for v in self.picklist
            ],
            "calculated": False,
            "unique": self.name in ("Id", "Username"),
        }


@dataclass(frozen=True)
class SObject:
    """One object: its fields and how deletion behaves for it."""

    name: str
    label: str
    label_plural: str
    fields: tuple[Field, ...]
    soft_delete: bool = True  # has an IsDeleted field
    deletable: bool = True
    hard_delete: bool = False  # deletes skip the recycle bin (only getDeleted sees them)
    hook_createable: bool = True
    by_lower: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_lower.update({f.name.lower(): f for f in self.fields})

    @property
    def key_prefix(self) -> str:
        return ids.KEY_PREFIXES[self.name]

    def field(self, name: str) -> Field | None:
        """Case-insensitive lookup (SOQL and JSON writes accept any case)."""
        return self.by_lower.get(name.lower())

    @property
    def relationships(self) -> dict[str, Field]:
        """Lower-case relationship name -> the reference field it follows (Owner -> OwnerId)."""
        return {f.relationship_name.lower(): f for f in self.fields if f.relationship_name}

    def describe(self, version: str) -> dict[str, object]:
        """/sobjects/X/describe."""
        return {
            **self.summary(version),
            "fields": [f.describe() for f in self.fields],
            "childRelationships": [],
            "recordTypeInfos": [],
        }

    def summary(self, version: str) -> dict[str, object]:
        """The entry of the global describe (/sobjects)."""
        base = f"/services/data/v{version}/sobjects/{self.name}"
        return {
            "name": self.name,
            "label": self.label,
            "labelPlural": self.label_plural,
            "keyPrefix": self.key_prefix,
            "custom": False,
            "queryable": True,
            "retrieveable": True,
            "replicateable": True,
            "searchable": self.name in ("Account", "Contact", "User"),
            "createable": self.hook_createable,
            "updateable": self.hook_createable,
            "deletable": self.deletable,
            "undeletable": self.soft_delete and not self.hard_delete,
            "urls": {
                "sobject": base,
                "describe": f"{base}/describe",
                "rowTemplate": f"{base}/{{ID}}",
            },
        }


def _system(soft_delete: bool = True) -> list[Field]:
    fields = [
        Field("Id", "id", "Record ID", nillable=False, createable=False, updateable=False, length=18),
        Field("CreatedDate", "datetime", "Created Date", nillable=False, createable=False, updateable=False),
        Field("LastModifiedDate", "datetime", "Last Modified Date", nillable=False, createable=False, updateable=False),
        Field("SystemModstamp", "datetime", "System Modstamp", nillable=False, createable=False, updateable=False),
    ]
    if soft_delete:
        fields.append(Field("IsDeleted", "boolean", "Deleted", nillable=False, createable=False, updateable=False))
    return fields


def _s(name: str, label: str, length: int = 255, **kw: object) -> Field:
    return Field(name, str(kw.pop("type", "string")), label, length=length, **kw)  # type: ignore[arg-type]


INDUSTRIES = (
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Finance",
    "Food & Beverage",
    "Healthcare",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Retail",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
)
ACCOUNT_TYPES = (
    "Prospect",
    "Customer - Direct",
    "Customer - Channel",
    "Channel Partner / Reseller",
    "Installation Partner",
    "Technology Partner",
    "Other",
)
TEAM_ROLES = (
    "Account Manager",
    "Sales Rep",
    "Executive Sponsor",
    "Technical Sales",
    "Channel Manager",
    "Pre-Sales Consultant",
)
USER_TYPES = ("Standard", "AutomatedProcess", "CsnOnly", "PowerPartner")
ACCESS_LEVELS = ("Read", "Edit", "All")

SOBJECTS: dict[str, SObject] = {}


def _register(obj: SObject) -> None:
    SOBJECTS[obj.name] = obj


_register(
    SObject(
        "Organization",
        "Organization",
        "Organizations",
        (
            *_system(soft_delete=False)[:1],
            _s("Name", "Name", 80, nillable=False),
            _s("OrganizationType", "Edition", 40, type="picklist", createable=False, updateable=False),
            Field("IsSandbox", "boolean", "Is Sandbox", nillable=False, createable=False, updateable=False),
            *_system(soft_delete=False)[1:],
        ),
        soft_delete=False,
        deletable=False,
        hook_createable=False,
    )
)
_register(
    SObject(
        "User",
        "User",
        "Users",
        (
            *_system(soft_delete=False)[:1],
            _s("Username", "Username", 80, nillable=False, required=True),
            _s("Email", "Email", 128, type="email", nillable=False, required=True),
            _s("FirstName", "First Name", 40),
            _s("LastName", "Last Name", 80, nillable=False, required=True),
            _s("Name", "Full Name", 121, nillable=False, createable=False, updateable=False),
            _s("Title", "Title", 80),
            _s("TimeZoneSidKey", "Time Zone", 40, type="picklist", nillable=False),
            _s("LocaleSidKey", "Locale", 40, type="picklist", nillable=False),
            _s("LanguageLocaleKey", "Language", 40, type="picklist", nillable=False),
            Field("IsActive", "boolean", "Active", nillable=False),
            _s("UserType", "User Type", 40, type="picklist", createable=False, updateable=False, picklist=USER_TYPES),
            Field("ManagerId", "reference", "Manager ID", reference_to=("User",), length=18),
            *_system(soft_delete=False)[1:],
        ),
        soft_delete=False,
        deletable=False,
    )
)
_register(
    SObject(
        "Account",
        "Account",
        "Accounts",
        (
            *_system()[:1],
            _s("Name", "Account Name", nillable=False, required=True),
            _s("Industry", "Industry", 255, type="picklist", picklist=INDUSTRIES),
            _s("Type", "Account Type", 255, type="picklist", picklist=ACCOUNT_TYPES),
            _s("Website", "Website", 255, type="url"),
            Field("ParentId", "reference", "Parent Account ID", reference_to=("Account",), length=18),
            Field("OwnerId", "reference", "Owner ID", nillable=False, reference_to=("User",), length=18),
            _s("BillingCountry", "Billing Country", 80),
            Field("AnnualRevenue", "currency", "Annual Revenue"),
            Field("NumberOfEmployees", "int", "Employees"),
            _s("Region__c", "Region", 80),
            *_system()[1:],
        ),
    )
)
_register(
    SObject(
        "Contact",
        "Contact",
        "Contacts",
        (
            *_system()[:1],
            Field("AccountId", "reference", "Account ID", reference_to=("Account",), length=18),
            _s("Email", "Email", 80, type="email"),
            _s("FirstName", "First Name", 40),
            _s("LastName", "Last Name", 80, nillable=False, required=True),
            _s("Name", "Full Name", 121, nillable=False, createable=False, updateable=False),
            _s("Title", "Title", 128),
            _s("Phone", "Business Phone", 40, type="phone"),
            Field("Birthdate", "date", "Birthdate"),
            *_system()[1:],
        ),
    )
)
_register(
    SObject(
        "AccountTeamMember",
        "Account Team Member",
        "Account Team Members",
        (
            *_system()[:1],
            Field("AccountId", "reference", "Account ID", nillable=False, required=True, reference_to=("Account",)),
            Field("UserId", "reference", "User ID", nillable=False, required=True, reference_to=("User",)),
            _s("TeamMemberRole", "Team Role", 40, type="picklist", picklist=TEAM_ROLES),
            _s("AccountAccessLevel", "Account Access", 40, type="picklist", nillable=False, picklist=ACCESS_LEVELS),
            *_system()[1:],
        ),
        hard_delete=True,
    )
)
_register(
    SObject(
        "PackageLicense",
        "Package License",
        "Package Licenses",
        (
            *_system(soft_delete=False)[:1],
            _s("NamespacePrefix", "Namespace Prefix", 15, createable=False, updateable=False),
            _s("Status", "Status", 40, type="picklist", createable=False, updateable=False),
            Field("AllowedLicenses", "int", "Allowed Licenses", createable=False, updateable=False),
            Field("UsedLicenses", "int", "Used Licenses", createable=False, updateable=False),
            *_system(soft_delete=False)[1:],
        ),
        soft_delete=False,
        deletable=False,
        hook_createable=False,
    )
)


def sobject(name: str) -> SObject | None:
    """Case-insensitive object lookup (SOQL and URLs accept any case)."""
    for key, obj in SOBJECTS.items():
        if key.lower() == name.lower():
            return obj
    return None
