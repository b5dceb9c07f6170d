"""Company data permissions (SPEC §4.3): who may see and change which companies, and
why (the access check)."""
