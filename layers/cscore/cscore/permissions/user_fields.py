"""Which User fields a caller may read about other users where it is not a users-API
caller: through lookup paths (``Csm__gr.Email``, ``CreatedBy__gr.Name``) and team search.

Super admins read every field. Anyone else reads what identifies a colleague and how to
reach them — ``SHOWN_TO_EVERYONE`` plus the tenant's custom User fields (``__gc``, the
business data admins add, such as the Region a permission rule compares) — and nothing
about credentials, identity links or privileges: SFDCUserName, SfdcUserId, IsSuperAdmin,
permissionBundles, LicenseType, GainsightLicenseEnabled, the Manager chain and the audit
fields stay out. For them a field outside the set is exactly an unknown field (the same
answer whether or not it exists), in select, where and orderBy alike.
"""

from __future__ import annotations

from cscore.query.model import CUSTOM_SUFFIX, Schema

SHOWN_TO_EVERYONE = frozenset(
    {
        "Gsid", "Name", "FirstName", "LastName", "Email", "Title", "ProfilePicture", "Timezone", "Locale",
        "IsActiveUser", "Status", "SystemType", "CompanyID",
    }
)  # fmt: skip


def readable(name: str, is_super_admin: bool) -> bool:
    """Whether a caller may read the User field ``name`` of other users."""
    return is_super_admin or name in SHOWN_TO_EVERYONE or name.endswith(CUSTOM_SUFFIX)


def user_schema_for(schema: Schema, is_super_admin: bool) -> Schema:
    """The User schema as the caller may see it (the whole schema for super admins)."""
    if is_super_admin:
        return schema
    return schema.with_fields({name: f for name, f in schema.fields.items() if readable(name, False)})
