"""The HTTP contract shared by every API handler: envelope, errors, auth, rate limits."""
