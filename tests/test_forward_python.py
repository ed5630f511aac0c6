"""Newer Pythons than the questionnaire offers, checked without their interpreters.

CPython 3.14 and 3.15 cannot be installed where these tests run, so a generated project
cannot run its suite on them. What can be proven without one, in the static tier over
every combination (`--all-combinations`):

- every distinct dependency set of the generated projects resolves for 3.14 and 3.15
  with a wheel for every package (`uv pip compile --python-version … --only-binary`),
  so `uv sync` there needs no compiler;
- the generated code passes ruff with `target-version` 3.14 and 3.15, and mypy --strict
  with `--python-version 3.14` (and 3.15 in one combination), the typeshed stubs of
  those versions.

What is not proven: that the suite passes at run time on those versions (a C extension
that imports but misbehaves, a deprecation turned error). README.md says so.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Generate, assert_ok, run
from tests.matrix import choices, combo_id, defaults

NEWER = ("3.14", "3.15")

# Each value of the questions that decide the dependencies, over the defaults.
DEPENDENCY_SETS = [
    {**{k: v for k, v in defaults().items() if k != "python_version"}, **choice}
    for choice in (
        {"stack": stack, "migration_tool": tool, "task_queue": queue}
        for stack in choices("stack")
        for tool in choices("migration_tool")
        for queue in choices("task_queue")
    )
]
# The code checks: the defaults, and a project that differs from them in every answer
# (mypy takes the longest: 3.15 on the second only).
_DEFAULT = {k: v for k, v in defaults().items() if k != "python_version"}
_OTHER = {
    "stack": "sqlmodel",
    "architecture": "feature-modules",
    "line_length": 100,
    "migration_tool": "yoyo",
    "task_queue": "celery",
}
CODE_CHECKS = [(_DEFAULT, "3.14"), (_OTHER, "3.14"), (_OTHER, "3.15")]

pytestmark = pytest.mark.all_combinations


def _requirements(project: Path) -> list[str]:
    config = tomllib.loads((project / "pyproject.toml").read_text())
    groups = config.get("dependency-groups", {})
    return sorted([*config["project"]["dependencies"], *groups.get("dev", [])])


@pytest.mark.parametrize("answers", DEPENDENCY_SETS, ids=[combo_id(c) for c in DEPENDENCY_SETS])
def test_the_dependencies_resolve_with_wheels_for_newer_pythons(
    generate: Generate, answers: dict[str, Any], tmp_path: Path
) -> None:
    project = generate(**answers)
    requirements = tmp_path / "requirements.in"
    requirements.write_text("\n".join(_requirements(project)) + "\n")
    for version in NEWER:
        resolved = run(
            [
                *("uv", "pip", "compile", "--quiet", "--no-header"),
                *("--python-version", version, "--python-platform", "x86_64-manylinux_2_28"),
                *("--only-binary", ":all:", str(requirements)),
            ],
            tmp_path,
        )
        assert_ok(resolved)
        assert "pydantic-core==" in resolved.stdout, resolved.stdout


@pytest.mark.parametrize(
    ("answers", "version"), CODE_CHECKS, ids=[f"{v}-{combo_id(a)}" for a, v in CODE_CHECKS]
)
def test_the_generated_code_checks_clean_for_newer_pythons(
    generate: Generate, answers: dict[str, Any], version: str, tmp_path: Path
) -> None:
    project = generate(**answers)
    assert "is a floor" in (project / "README.md").read_text(), "README: newer Pythons"
    for newer in NEWER:
        target = f"py{newer.replace('.', '')}"
        ruff = ["ruff", "check", "--no-cache", "--target-version", target, "."]
        assert_ok(run(ruff, project))
    mypy = [sys.executable, "-m", "mypy", "--python-version", version]
    assert_ok(run([*mypy, "--cache-dir", str(tmp_path / "mypy"), "."], project, timeout=900))
