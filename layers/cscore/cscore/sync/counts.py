"""What a run counts (SPEC §3.3 run view)."""

COUNTS = ("read", "inserted", "updated", "deleted", "rejected", "errored")
