"""The admin console (SPEC §9): static files served by the product at ``/admin/``."""
