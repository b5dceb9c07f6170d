"""What every tenant has from the start besides its system picklist items
(``picklists.system``) and its custom field maps (``meta.fields.OBJECTS``): SPEC §1.4, §4, §4.3."""

from __future__ import annotations

from typing import Any

PERMISSION_BUNDLES = ["DEFAULT_BUNDLE"]

# Tenant settings, applied only where a tenant has no value yet.
SETTINGS: dict[str, Any] = {
    "companyPermissions": {"public": False, "teamBased": True, "rules": []},
    "companyTeamsEnabled": True,
    "customFields": {},
}
