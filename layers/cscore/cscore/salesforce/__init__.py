"""The Salesforce client: OAuth 2.0 web server flow and the REST API (SPEC §5).

Talks to Salesforce only; what a connection or a job means lives in ``cscore.connector``.
"""
