"""The sync engine (SPEC §3.3): runs of connector jobs, from Salesforce into the
platform's objects, incremental, with deletions, resumable across invocations."""
