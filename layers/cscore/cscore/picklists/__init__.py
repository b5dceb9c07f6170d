"""Picklists (SPEC §1.4): labels <-> item GSIDs, per tenant."""
