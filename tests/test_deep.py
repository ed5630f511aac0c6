"""Deep tier: a fresh install from each stack's own pyproject.

The covering set (every pair of values of the shaping questions and the Python
version together at least once) is proven in tests/test_recipe.py: each project is
installed the way a user would (`uv sync` on the chosen Python), gets a second
resource by AGENTS.md's recipe and passes `make check` — mypy --strict and the
project's own suite among the rest. The generated suites use PostgreSQL and Redis
when TEST_DATABASE_URL / REDIS_URL are set (.ci/run sets them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import assert_ok, copie_render, run
from tests.matrix import choices, pairwise

COVERING_SET = pairwise()


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
