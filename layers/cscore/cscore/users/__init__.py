"""Users of a tenant (SPEC §2, §4b)."""
