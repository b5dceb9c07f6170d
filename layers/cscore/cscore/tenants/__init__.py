"""Tenants: creation, the idempotent bootstrap of their defaults, limits, "who am I"."""
