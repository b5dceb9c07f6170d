"""Object metadata (SPEC §4b): the fields API over the object catalog, and custom fields."""
