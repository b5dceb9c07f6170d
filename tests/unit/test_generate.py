"""The template's function blocks and events/ are generated from each function's declaration
(``cslocal.generate``): stale output, a route changed on one side only, a hand-edited event
or an event no function declares are each reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cslocal import generate
from cslocal.template import load
from tests.unit.conftest import ROOT


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of what the generator reads and writes."""
    shutil.copy(ROOT / "template.yaml", tmp_path / "template.yaml")
    shutil.copytree(ROOT / "events", tmp_path / "events")
    for folder in (ROOT / "functions").iterdir():
        if (folder / "app.py").exists():
            (tmp_path / "functions" / folder.name).mkdir(parents=True)
            for file in ("app.py", "function.yaml"):
                shutil.copy(folder / file, tmp_path / "functions" / folder.name / file)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_the_checked_in_files_are_up_to_date() -> None:
    assert generate.stale(ROOT) == []


def test_a_copy_is_up_to_date_until_something_changes(tree: Path) -> None:
    assert generate.stale(tree) == []


def test_a_route_changed_in_the_handler_only_is_reported(tree: Path) -> None:
    _edit(
        tree / "functions/jobs_get/app.py", '@app.get("/v1/connectors/jobs/<job_id>")', '@app.get("/v1/jobs/<job_id>")'
    )
    assert generate.stale(tree) == ["template.yaml", "events/jobs_get.json"]
    generate.write(tree)
    route = load(tree / "template.yaml")["Resources"]["JobsGetFunction"]["Properties"]["Events"]["Api"]["Properties"]
    assert (route["Path"], route["Method"]) == ("/v1/jobs/{jobId}", "GET")


def test_a_route_changed_in_the_template_only_is_reported(tree: Path) -> None:
    _edit(tree / "template.yaml", "Path: /v1/connectors/jobs/{jobId}/runs", "Path: /v1/connectors/jobs/{jobId}/history")
    assert generate.stale(tree) == ["template.yaml"]


def test_a_manifest_change_is_reported(tree: Path) -> None:
    _edit(tree / "functions/sync_job/function.yaml", "Timeout: 900", "Timeout: 600")
    assert generate.stale(tree) == ["template.yaml"]


def test_a_sample_edited_by_hand_or_declared_by_no_function_is_reported(tree: Path) -> None:
    _edit(tree / "events/tenant_get.json", '"httpMethod": "GET"', '"httpMethod": "POST"')
    (tree / "events/tenant_get.extra.json").write_text("{}\n")
    assert generate.stale(tree) == ["events/tenant_get.json", "events/tenant_get.extra.json (no function declares it)"]
    generate.write(tree)
    assert generate.stale(tree) == []


def test_shared_statements_are_attached_by_the_handlers_auth_and_family(tree: Path) -> None:
    policies = {
        f.name: generate.function_resource(f)["Properties"].get("Policies", []) for f in generate.read_functions(tree)
    }
    refs = {name: [p["Ref"] for p in found if "Ref" in p] for name, found in policies.items()}
    assert refs["health"] == [] and refs["oauth_callback"] == []  # no key, no rate limit
    assert refs["m2m_token"] == ["AuthenticateCallerPolicy", "CountRateLimitPolicy"]  # client credentials
    assert refs["sync_job"] == []  # a job
    _edit(tree / "functions/jobs_get/app.py", 'family="standard"', "family=None")
    assert generate.stale(tree) == ["template.yaml"]


def test_a_sample_must_give_every_path_parameter(tree: Path) -> None:
    _edit(tree / "functions/jobs_get/function.yaml", "jobId:", "job:")
    with pytest.raises(generate.ManifestError, match=r"jobId"):
        generate.stale(tree)


def test_more_paths_on_the_handler_function_are_aliases_of_its_endpoint(tree: Path) -> None:
    """A second route decorator on the same function (Gainsight's alias paths) is another Api
    event of the same Lambda function, written into the template by --write."""
    _edit(
        tree / "functions/tenant_get/app.py",
        '@app.get("/v1/tenant")\n',
        '@app.get("/v1/tenant")\n@app.get("/v1.0/tenant")\n',
    )
    assert any("template.yaml" in problem for problem in generate.stale(tree))
    generate.write(tree)
    events = load(tree / "template.yaml")["Resources"]["TenantGetFunction"]["Properties"]["Events"]
    paths = {name: (event["Properties"]["Method"], event["Properties"]["Path"]) for name, event in events.items()}
    assert paths == {"Api": ("GET", "/v1/tenant"), "Api2": ("GET", "/v1.0/tenant")}
    assert generate.stale(tree) == []


def test_an_alias_with_another_method_is_refused(tree: Path) -> None:
    _edit(
        tree / "functions/tenant_get/app.py",
        '@app.get("/v1/tenant")\n',
        '@app.get("/v1/tenant")\n@app.post("/v1/tenant")\n',
    )
    with pytest.raises(generate.ManifestError, match="one route per function"):
        generate.stale(tree)


def test_a_handler_with_two_routes_is_refused(tree: Path) -> None:
    app = tree / "functions/tenant_get/app.py"
    app.write_text(app.read_text() + '\n\n@app.get("/v1/tenant/again")\ndef again() -> dict:\n    return {}\n')
    with pytest.raises(generate.ManifestError, match="one route per function"):
        generate.stale(tree)
