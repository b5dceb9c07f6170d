"""CS Platform's shared layer: the API contract, the domain rules and data access."""
