"""Deep tier: mypy --strict and each generated project's own test suite.

A covering set in which every pair of values of the shaping questions and the
Python version appears together at least once. Projects on the
template's Python run in the template's environment; the others are installed the
way a user would (`uv sync` from their own pyproject) and run with `uv run`.
The generated suites use PostgreSQL and Redis when TEST_DATABASE_URL / REDIS_URL
are set (.ci/run sets them).
"""

from __future__ import annotations

import platform
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Generate, assert_ok, copie_render, python_for, run
from tests.matrix import choices, combo_id, pairwise

COVERING_SET = pairwise()
TEMPLATE_PYTHON = ".".join(platform.python_version_tuple()[:2])


@pytest.mark.deep
@pytest.mark.parametrize("answers", COVERING_SET, ids=[combo_id(c) for c in COVERING_SET])
def test_generated_project_type_checks_and_passes_its_tests(
    generate: Generate,
    answers: dict[str, Any],
) -> None:
    project = generate(**answers)
    if answers["python_version"] == TEMPLATE_PYTHON:
        assert_ok(run([sys.executable, "-m", "mypy", "."], project))
        assert_ok(run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], project))
        return
    # Another Python: install the project from its own pyproject, as a user would.
    python = ["--python", python_for(answers["python_version"])]
    assert_ok(run(["uv", "sync", "--quiet", *python], project))
    assert_ok(run(["uv", "run", "--no-sync", "mypy", "."], project))
    assert_ok(run(["uv", "run", "--no-sync", "pytest", "-p", "no:cacheprovider"], project))


@pytest.mark.deep
@pytest.mark.parametrize("stack", choices("stack"))
def test_a_fresh_install_from_the_projects_own_pyproject_passes(
    template_src: Path,
    copie: Any,
    stack: str,
) -> None:
    """Declared dependencies are complete: `uv sync` then `uv run pytest`, as a user."""
    project = copie_render(copie, template_src, stack=stack)
    assert_ok(run(["uv", "sync", "--quiet"], project))
    assert_ok(run(["uv", "run", "--no-sync", "pytest", "-p", "no:cacheprovider"], project))
