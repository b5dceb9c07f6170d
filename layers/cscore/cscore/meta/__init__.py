"""Object metadata: custom fields (SPEC §4b)."""
