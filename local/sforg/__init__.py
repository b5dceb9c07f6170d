"""A stand-in Salesforce org for development and tests: OAuth web server flow, REST query and
replication endpoints over HTTPS, with deterministic data and test hooks under /__sandbox/."""

from sforg.server import OrgServer, start_org_server
from sforg.spec import ConnectedApp, OrgSpec, default_orgs

__all__ = ["ConnectedApp", "OrgServer", "OrgSpec", "default_orgs", "start_org_server"]
