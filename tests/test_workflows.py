"""The template's own GitHub workflows: actionlint-clean, and the CI jobs cover every tier.

The generated project's workflow is linted with the rest of each render (test_static.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import yaml

from tests.conftest import assert_ok, run
from tests.matrix import TEMPLATE_ROOT, combo_id, github_matrix, pairwise

WORKFLOWS = TEMPLATE_ROOT / ".github" / "workflows"


def _ci() -> dict[str, Any]:
    workflow: dict[Any, Any] = yaml.safe_load((WORKFLOWS / "ci.yml").read_text())
    workflow["on"] = workflow.pop(True)  # YAML 1.1 reads the key `on` as a boolean
    return workflow


def _runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_the_template_workflows_pass_actionlint() -> None:
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert files, "no workflow files"
    assert_ok(run(["actionlint", *files], TEMPLATE_ROOT))


def test_ci_runs_on_pushes_pull_requests_weekly_and_by_hand() -> None:
    trigger = _ci()["on"]
    assert trigger["push"]["branches"] == ["main"]
    assert "pull_request" in trigger
    assert trigger["schedule"][0]["cron"], "no weekly run"
    assert trigger["workflow_dispatch"]["inputs"]["newest"]["type"] == "boolean"


def test_the_deep_tier_runs_one_job_per_covering_set_combination() -> None:
    jobs = _ci()["jobs"]
    listed = subprocess.run(
        [sys.executable, "-m", "tests.matrix", "--github-matrix"],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    # The job that lists the combinations prints exactly the covering set.
    assert json.loads(listed.stdout) == github_matrix()
    assert any("tests.matrix --github-matrix" in line for line in _runs(jobs["covering-set"]))
    deep = jobs["deep"]
    assert deep["needs"] == "covering-set"
    assert "fromJSON(needs.covering-set.outputs.matrix)" in deep["strategy"]["matrix"]
    (command,) = [line for line in _runs(deep) if "pytest" in line]
    assert "--deep" in command
    assert 'tests/test_deep.py -k "${{ matrix.id }}"' in command
    # Each id selects exactly one test: no id is a part of another.
    ids = [combo_id(combo) for combo in pairwise()]
    assert [sum(other.count(one) for other in ids) for one in ids] == [1] * len(ids)
    assert set(deep["services"]) == {"postgres", "redis"}
    assert deep["env"]["TEST_DATABASE_URL"].startswith("postgresql+asyncpg://")


def test_the_other_jobs_cover_the_fast_static_and_slow_tests() -> None:
    jobs = _ci()["jobs"]
    assert jobs["fast"]["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    assert "uv run pytest" in _runs(jobs["fast"])
    assert "uv run pytest --all-combinations" in _runs(jobs["static"])
    slow = [line for line in _runs(jobs["slow"]) if "pytest" in line]
    assert slow == ['uv run pytest --deep -m "deep or slow" --ignore tests/test_deep.py']
    assert set(jobs["slow"]["services"]) == {"postgres", "redis"}


def test_the_weekly_run_resolves_against_the_newest_releases() -> None:
    workflow = _ci()
    assert "github.event_name == 'schedule'" in workflow["env"]["NEWEST"]
    for name in ("fast", "static", "deep", "slow"):
        steps = workflow["jobs"][name]["steps"]
        upgrade = [step for step in steps if step.get("run") == "uv lock --upgrade"]
        assert upgrade, f"{name}: no upgrade step"
        assert upgrade[0]["if"] == "env.NEWEST == 'true'"
        sync = [line for line in _runs(workflow["jobs"][name]) if line.startswith("uv sync")]
        assert sync == ["uv sync ${{ env.NEWEST != 'true' && '--locked' || '' }}"], name
        # Nothing from the cache on that run: the generated projects resolve afresh.
        setup = [step for step in steps if step.get("uses", "").startswith("astral-sh/setup-uv")]
        assert setup[0]["with"]["enable-cache"] == "${{ env.NEWEST != 'true' }}"


def test_ci_run_prints_the_durations_table() -> None:
    script = (TEMPLATE_ROOT / ".ci" / "run").read_text()
    assert "--durations=25" in script


def test_readme_names_the_workflow() -> None:
    assert ".github/workflows/ci.yml" in (TEMPLATE_ROOT / "README.md").read_text()
