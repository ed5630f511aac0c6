"""Deep tier: one project per combination of the covering set, built up and checked once.

The covering set holds every pair of values of the shaping questions and the Python
version together at least once. Each of its projects is installed the way a user would
(`uv sync` from the project's own pyproject, on the chosen Python), then grows the two
ways AGENTS.md offers:

- by hand, following AGENTS.md's "Adding a resource" step by step (a `notes` resource
  from tests/recipe/, at the paths and with the registry lines and migration steps the
  recipe names; tests/recipe_steps.py);
- with the project's `new-resource` command: bad input and a second run are refused with
  nothing written, then three resources are added (one with `--no-owner` and every
  field form; one owned, with a field of every type, two unique fields and a reference
  to the shared one; one owned that refers to the other and to the template's items).

Then `make check` runs once over all of it: ruff, format, mypy --strict, import-linter,
agnix, the migration and drift checks and the project's own suite with the new
resources' tests, on PostgreSQL and Redis when TEST_DATABASE_URL and REDIS_URL are set
(.ci/run sets them), and the new resources' tests run on SQLite too. In the
routers-services combination with Alembic, on PostgreSQL and Redis, the project's
`make multi-instance` runs two instances behind a round-robin proxy. Each
stage is named, so a failure says which step broke.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests import recipe_steps
from tests.conftest import Generate, assert_ok, python_for, run
from tests.matrix import combo_id, pairwise

COVERING_SET = pairwise()

OWNED = [
    "projects",
    *("--field", "name:str", "--field", "notes:text?", "--field", "size:int"),
    *("--field", "budget:decimal?", "--field", "done:bool", "--field", "due:date?"),
    *("--field", "starts:datetime", "--field", "category_id:ref(categories)?"),
    *("--unique", "name,size"),
]
# References to the rows of an owned resource (the same owner's) and of the template's.
TASKS = [
    "tasks",
    *("--field", "title:str(80)", "--field", "project_id:ref(projects)"),
    *("--field", "item_id:ref(items)?"),
]
# Every field form, on a shared resource: lengths, choices, e-mail, bounds, money.
SHARED = [
    "categories",
    *("--field", "label:str(40)", "--field", "kind:enum(book,film,game)"),
    *("--field", "contact:email?", "--field", "rank:int>0", "--field", "stock:int>=0?"),
    *("--field", "price:decimal>0", "--field", "fee:decimal>=0?"),
    *("--field", "currency:currency", "--unique", "label", "--no-owner"),
]
# Created in this order: a reference names a resource that exists.
ADDED = [SHARED, OWNED, TASKS]
REFUSED = [
    (["Projects"], "snake_case"),
    (["classes", "--singular", "class"], "keyword"),
    (["items", "--singular", "item"], "already exists"),
    (["auth", "--singular", "auth_entry"], "already"),
    (["projects", "--field", "name:money"], "unknown type"),
    (["projects", "--field", "name:str", "--field", "name:int"], "twice"),
    (["projects", "--field", "on:bool", "--unique", "on"], "two values"),
    (["projects", "--field", "item_id:ref(nothings)"], "names no resource"),
]
# Every project runs the command on two of them (a bad name, a resource that exists);
# the first combination runs them all. Each refusal is a process that imports the app,
# and the project's own tests/test_scaffold.py refuses every kind in process anyway.
REFUSED_EVERYWHERE = [REFUSED[0], REFUSED[2]]
NEW_TESTS = ["tests/test_projects.py", "tests/test_categories.py", "tests/test_tasks.py"]
# The covering-set project (architecture, migration tool) that runs `make multi-instance`.
MULTI_INSTANCE = ("routers-services", "alembic")


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Name the stage in any failure inside it."""
    try:
        yield
    except AssertionError as error:
        raise AssertionError(f"[{name}] {error}") from error


def _tree(project: Path) -> dict[str, bytes]:
    skip = {".venv", ".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__"}
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in project.rglob("*")
        if path.is_file() and not skip & set(path.relative_to(project).parts)
    }


def add_by_the_recipe(
    project: Path, facts: dict[str, Any], stack: str, env: dict[str, str]
) -> list[str]:
    """AGENTS.md's steps for a `notes` resource, up to (not including) `make check`."""
    recipe = facts["recipe"]
    with stage("recipe: AGENTS.md states every step"):
        agents = (project / "AGENTS.md").read_text()
        assert [s for s in recipe_steps.stated_steps(recipe) if f"`{s}`" not in agents] == []
    with stage("recipe 1: files"):
        files = recipe_steps.write_files(project, facts, stack)
    with stage("recipe 2: registries"):
        recipe_steps.register(project, recipe)
    with stage("recipe 3: migration"):
        recipe_steps.migrate(project, recipe, env)
    finish = recipe["finish"]
    with stage("recipe 4: tidy"):
        # The last finishing command is `make check`: it runs once, after new-resource.
        assert finish[-1] == "make check", finish
        for command in finish[:-1]:
            recipe_steps.shell(command, project, env)
    return files


def add_with_new_resource(
    project: Path, env: dict[str, str], refusals: list[tuple[list[str], str]]
) -> None:
    """The command: refusals with nothing written, three resources, a refused rerun."""
    command = ["uv", "run", "--no-sync", "python", "-m", "app.cli", "new-resource"]
    with stage("new-resource: bad input refused, nothing written"):
        before = _tree(project)
        for arguments, reason in refusals:
            refused = run([*command, *arguments], project, env=env)
            assert refused.returncode == 2, (arguments, refused.stdout, refused.stderr)
            assert reason in refused.stderr, (arguments, refused.stderr)
            assert "Nothing was written" in refused.stderr
        assert _tree(project) == before
    with stage("new-resource: three resources added"):
        for arguments in ADDED:
            start = time.perf_counter()
            added = run([*command, *arguments], project, env=env)
            assert_ok(added)
            seconds = time.perf_counter() - start
            print(f"new-resource {arguments[0]}: {seconds:.1f} s; {added.stdout.strip()}")
    with stage("new-resource: a second run is refused and changes nothing"):
        after = _tree(project)
        again = run([*command, *OWNED], project, env=env)
        assert again.returncode == 2
        assert "already exists" in again.stderr
        assert _tree(project) == after


@pytest.mark.deep
@pytest.mark.parametrize("answers", COVERING_SET, ids=[combo_id(c) for c in COVERING_SET])
def test_a_project_grown_by_the_recipe_and_new_resource_passes_every_check(
    generate: Generate,
    template_src: Path,
    tmp_path: Path,
    answers: dict[str, Any],
) -> None:
    facts = recipe_steps.recipe_for(template_src, answers)
    project = tmp_path / "project"
    shutil.copytree(generate(**answers), project, ignore=shutil.ignore_patterns(".venv", "*.db"))
    env = {"UV_PYTHON": python_for(answers["python_version"])}
    with stage("install: uv sync from the project's own pyproject"):
        assert_ok(run(["uv", "sync", "--quiet"], project, env=env))

    recipe_files = add_by_the_recipe(project, facts, answers["stack"], env)
    add_with_new_resource(
        project, env, REFUSED if answers == COVERING_SET[0] else REFUSED_EVERYWHERE
    )

    with stage("make check (every check CI runs, once for all four resources)"):
        assert_ok(run(["make", "check"], project, env=env, timeout=1800))
    with stage("recipe: the resource's own tests were among those make check ran"):
        collected = run(
            ["uv", "run", "pytest", "--collect-only", "-q", recipe_files[-1]], project, env=env
        )
        assert_ok(collected)
        assert "3 tests collected" in collected.stdout, collected.stdout
    layering, tool = answers["architecture"], answers["migration_tool"]
    if (layering, tool) == MULTI_INSTANCE and os.environ.get("TEST_DATABASE_URL"):
        # Two instances behind a round-robin proxy, in one project of the set: what it
        # proves (limits, revocation, If-Match, a restart) is the same code in every
        # combination, and each project's own suite runs concurrent migrations
        # (tests/test_migration_runs.py) with its migration tool.
        with stage("make multi-instance: limits, revocation, If-Match and a restart"):
            instances = run(["make", "multi-instance"], project, env=env, timeout=900)
            assert_ok(instances)
            assert " passed" in instances.stdout, instances.stdout
            assert " skipped" not in instances.stdout, instances.stdout
            print(instances.stdout[-3000:])
    with stage("new-resource: the new resources' tests on SQLite too"):
        sqlite = {**env, "TEST_DATABASE_URL": "", "REDIS_URL": ""}
        pytest_cmd = ["uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider"]
        ran = run([*pytest_cmd, "--no-cov", *NEW_TESTS], project, env=sqlite)
        assert_ok(ran)
        passed = int(ran.stdout.split(" passed")[0].split()[-1])
        assert passed > 60, ran.stdout
