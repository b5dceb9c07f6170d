"""The Bulk API (SPEC §4.5(3)): CSV files loaded into an object by a job definition."""
