"""Permission bundles (SPEC §2.1, §8): created, renamed and deleted, and who holds them."""
