"""The generated project's `new-resource` command, in every deep-tier combination.

In a fresh copy of the project the command adds two resources: one owned, with a field
of every type and two unique fields, and one with `--no-owner`. Then `make check` runs
every check CI runs (ruff, format, mypy, import-linter, the migration checks, the agent
docs' drift check, pytest with the new resources' own tests) on SQLite, or on
PostgreSQL and Redis when `TEST_DATABASE_URL` and `REDIS_URL` are set (as in CI), and
then the new resources' tests run on SQLite too. Bad
input, and running the command a second time, is refused with nothing written.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Generate, assert_ok, python_for, run
from tests.matrix import combo_id
from tests.test_deep import COVERING_SET

OWNED = [
    "projects",
    *("--field", "name:str", "--field", "notes:text?", "--field", "size:int"),
    *("--field", "budget:decimal?", "--field", "done:bool", "--field", "due:date?"),
    *("--field", "starts:datetime", "--unique", "name,size"),
]
SHARED = ["categories", "--field", "label:str", "--no-owner"]
REFUSED = [
    (["Projects"], "snake_case"),
    (["classes", "--singular", "class"], "keyword"),
    (["items", "--singular", "item"], "already exists"),
    (["auth", "--singular", "auth_entry"], "already"),
    (["projects", "--field", "name:money"], "unknown type"),
    (["projects", "--field", "name:str", "--field", "name:int"], "twice"),
    (["projects", "--field", "on:bool", "--unique", "on"], "two values"),
]


def _tree(project: Path) -> dict[str, bytes]:
    skip = {".venv", ".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__"}
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in project.rglob("*")
        if path.is_file() and not skip & set(path.relative_to(project).parts)
    }


@pytest.mark.deep
@pytest.mark.parametrize("answers", COVERING_SET, ids=[combo_id(c) for c in COVERING_SET])
def test_new_resources_pass_every_check(
    generate: Generate,
    tmp_path: Path,
    answers: dict[str, Any],
) -> None:
    project = tmp_path / "project"
    shutil.copytree(generate(**answers), project, ignore=shutil.ignore_patterns(".venv", "*.db"))
    env = {"UV_PYTHON": python_for(answers["python_version"])}
    assert_ok(run(["uv", "sync", "--quiet"], project, env=env))
    command = ["uv", "run", "--no-sync", "python", "-m", "app.cli", "new-resource"]

    # Bad input: refused, saying why, with nothing written.
    before = _tree(project)
    for arguments, reason in REFUSED:
        refused = run([*command, *arguments], project, env=env)
        assert refused.returncode == 2, (arguments, refused.stdout, refused.stderr)
        assert reason in refused.stderr, (arguments, refused.stderr)
        assert "Nothing was written" in refused.stderr
    assert _tree(project) == before

    for arguments in (OWNED, SHARED):
        start = time.perf_counter()
        added = run([*command, *arguments], project, env=env)
        assert_ok(added)
        seconds = time.perf_counter() - start
        print(f"new-resource {arguments[0]}: {seconds:.1f} s; {added.stdout.strip()}")
    after = _tree(project)
    # Running it again is refused and changes nothing.
    again = run([*command, *OWNED], project, env=env)
    assert again.returncode == 2
    assert "already exists" in again.stderr
    assert _tree(project) == after

    assert_ok(run(["make", "check"], project, env=env, timeout=1800))
    # With PostgreSQL configured (CI), the new resources' tests run on SQLite as well.
    sqlite = {**env, "TEST_DATABASE_URL": "", "REDIS_URL": ""}
    new_tests = ["tests/test_projects.py", "tests/test_categories.py"]
    pytest = ["uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider"]
    ran = run([*pytest, "--no-cov", *new_tests], project, env=sqlite)
    assert_ok(ran)
    passed = int(ran.stdout.split(" passed")[0].split()[-1])
    assert passed > 60, ran.stdout
