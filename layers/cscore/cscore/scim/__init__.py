"""SCIM 2.0 provisioning (SPEC §8): a second door to the users of the users API."""
