"""Objects of a tenant as stored (``shapes``), written in bulk (``bulk``) and queried (``query``)."""
