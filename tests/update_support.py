"""Build template versions and projects in temporary git repositories."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import copier

from tests.conftest import assert_ok, run

CONFLICT = re.compile(r"^(<{7}|={7}|>{7})", re.MULTILINE)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd` with a fixed identity; return stdout."""
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def commit_all(repo: Path, message: str, tag: str | None = None) -> None:
    """Commit every change in `repo` (creating it if needed), optionally tagged."""
    if not (repo / ".git").exists():
        git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--allow-empty", "--message", message)
    if tag:
        git(repo, "tag", tag)


def template_repo(src: Path, dest: Path) -> Path:
    """A git repository holding a copy of the template at `src`, tagged v1."""
    shutil.copytree(src, dest)
    commit_all(dest, "Template v1", tag="v1")
    return dest


def copy_project(template: Path, dest: Path, vcs_ref: str, **answers: object) -> Path:
    """Generate a project from `template` at `vcs_ref` and commit it, as a user would."""
    copier.run_copy(
        str(template),
        dest,
        data=answers,
        vcs_ref=vcs_ref,
        defaults=True,
        unsafe=False,
        quiet=True,
    )
    commit_all(dest, "Start from the template")
    return dest


def update_project(project: Path, vcs_ref: str, **answers: object) -> None:
    """`copier update` the project to `vcs_ref`, conflicts written inline."""
    copier.run_update(
        project,
        data=answers,
        vcs_ref=vcs_ref,
        defaults=True,
        overwrite=True,
        unsafe=False,
        conflict="inline",
        quiet=True,
    )


def changed_files(project: Path) -> set[str]:
    """Paths `git status` reports as changed or new."""
    lines = git(project, "status", "--porcelain", "--untracked-files=all").splitlines()
    return {line[3:].strip('"') for line in lines}


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` in a file, failing if `old` is not there."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def conflicted(project: Path) -> list[str]:
    """Files with conflict markers, and `.rej` files."""
    return sorted(
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file()
        and ".git" not in path.parts
        and (path.suffix == ".rej" or CONFLICT.search(path.read_text(errors="replace")))
    )


# The tests of what an update merges into a project with user code: the user's own
# resource, the migrations (the user's and the template's revisions together), the
# logging module the user edited, the API's contract and the all-checks fuzz run over
# the user's operations too (a stricter check an update brings must pass on user code
# written as the release's docs said), the project's own places, the agent docs' drift
# check, and the exports an option turns on. The template's whole suite runs on one
# updated project (the newest release's, with `whole_suite`) and on every
# covering-set project of the deep tier.
UPDATE_TESTS = (
    "tests/test_notes.py",
    "tests/test_migrations.py",
    "tests/test_logging.py",
    "tests/test_contract.py",
    "tests/test_fuzz.py",
    "tests/test_project_places.py",
    "tests/test_agent_docs.py",
    "tests/test_exports.py",
)


def assert_passes_every_check(
    project: Path,
    *,
    whole_suite: bool = False,
    fuzz: bool = True,
) -> None:
    """ruff, format, import-linter and mypy as `make check`, and the update's tests.

    With `whole_suite`, the project's whole suite (coverage bound included) instead.
    Without `fuzz`, the fuzz run is left out: for user code another test fuzzes (the
    same release's, or `new-resource`'s in the deep tier).
    """
    assert_ok(run(["ruff", "check", "--no-cache", "."], project))
    assert_ok(run(["ruff", "format", "--check", "--no-cache", "."], project))
    assert_ok(run(["lint-imports", "--no-cache"], project))
    assert_ok(run([sys.executable, "-m", "mypy", "."], project))
    suite = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if not whole_suite:
        wanted = [name for name in UPDATE_TESTS if fuzz or name != "tests/test_fuzz.py"]
        tests = [name for name in wanted if (project / name).is_file()]
        assert "tests/test_notes.py" in tests, "the user's resource has no tests here"
        suite += ["--no-cov", *tests]
    ran = run(suite, project, timeout=1800)  # 600 s ran out on a loaded machine
    assert_ok(ran)
    assert " passed" in ran.stdout, ran.stdout
