"""The Salesforce connector (SPEC §3): connections and their OAuth lifecycle, jobs,
schedules and runs. Salesforce itself is reached through ``cscore.salesforce``."""
