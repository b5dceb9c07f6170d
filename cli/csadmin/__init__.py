"""csadmin: the operator's command line for tenants, keys, OAuth clients and limits."""
