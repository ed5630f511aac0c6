"""Build template versions and projects in temporary git repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import copier

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
