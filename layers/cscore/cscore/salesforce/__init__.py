"""The Salesforce client: OAuth 2.0 web server flow, the REST API (SPEC §5) and the
product's subset of SOQL's WHERE clause (``soql_filter``).

Talks to Salesforce only; what a connection or a job means lives in ``cscore.connector``.
"""
