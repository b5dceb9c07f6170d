"""Who is calling: access keys, M2M OAuth clients and their Bearer tokens, and the
authorization rule of SPEC §1.1."""
