"""Cross-cutting building blocks: configuration, time, identifiers, AWS clients, table
access shared by the packages' repositories, leases, logging and metrics, and the
security headers of answers. Imports no domain package (``pyproject.toml``'s contract)."""
