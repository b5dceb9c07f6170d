"""Fixed-window rate limits per tenant and family (SPEC §1.3)."""
