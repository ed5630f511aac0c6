"""`copier update` brings template changes in and never loses a user's line.

Each test builds template versions in a temporary git repository (tags v1, v2),
generates a project from v1, commits it, changes it as a user would, and updates it
with stock Copier (unsafe=False: no --trust).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml

from tests.conftest import assert_ok, run
from tests.matrix import TEMPLATE_ROOT, questions
from tests.update_support import (
    GIT_ENV,
    assert_passes_every_check,
    changed_files,
    commit_all,
    conflicted,
    copy_project,
    edit,
    git,
    template_repo,
    update_project,
)
from tests.user_code.apply import (
    apply_user_code,
    fixture_spec,
    releases_with_user_code,
    user_lines,
)

CONFIG = Path("template/{{ package_name }}/core/config.py.jinja")
# Answers that reshape the tree; v2 offers a new value for each, as a release might.
LOCKED = ("stack", "architecture", "migration_tool")
NEW_VALUE = "added-in-v2"


@pytest.fixture(scope="module")
def template(template_src: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Template v1, and v2 with a changed, a new and a removed file."""
    repo = template_repo(template_src, tmp_path_factory.mktemp("tpl") / "template")
    edit(
        repo / CONFIG,
        'rate_limit_register: str = "10/minute"',
        'rate_limit_register: str = "20/minute"',
    )
    edit(
        repo / CONFIG,
        "access_token_expire_minutes: int = Field(default=30,",
        "access_token_expire_minutes: int = Field(default=15,",
    )
    (repo / "template" / "SECURITY.md").write_text("Report vulnerabilities privately.\n")
    (repo / "template" / ".dockerignore").unlink()
    questionnaire = (repo / "copier.yml").read_text()
    for question in LOCKED:
        start = questionnaire.index(f"\n{question}:\n")
        choices = questionnaire.index("  choices:\n", start) + len("  choices:\n")
        new_choice = f"    Added in v2: {NEW_VALUE}\n"
        questionnaire = questionnaire[:choices] + new_choice + questionnaire[choices:]
    (repo / "copier.yml").write_text(questionnaire)
    commit_all(repo, "Template v2", tag="v2")
    return repo


@pytest.fixture(scope="module")
def pristine(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project generated from v1 and committed, once per module."""
    return copy_project(template, tmp_path_factory.mktemp("pristine") / "project", "v1")


@pytest.fixture
def project(pristine: Path, tmp_path: Path) -> Path:
    """A fresh copy of the committed v1 project (with its git history) for one test."""
    dest = tmp_path / "project"
    shutil.copytree(pristine, dest, symlinks=True)
    return dest


@pytest.mark.slow
def test_updating_needs_no_trust_and_the_answers_file_names_the_version(
    project: Path,
) -> None:
    config = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())
    assert [key for key in ("_tasks", "_migrations", "_jinja_extensions") if key in config] == []
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1"
    assert answers["_src_path"]
    recorded = {key for key in answers if not key.startswith("_")} - {"locked_answers"}
    assert recorded <= set(questions())
    assert not [key for key in recorded if re.search("secret|password|token", key)]
    # The shape the update lock compares with (extensions/update.jinja).
    assert answers["locked_answers"] == {name: answers[name] for name in LOCKED}


@pytest.mark.slow
def test_copy_and_update_print_no_warning(template: Path, tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        project = copy_project(template, tmp_path / "quiet", "v1")
        update_project(project, "v2")
    assert [str(warning.message) for warning in caught] == []


@pytest.mark.slow
def test_the_generated_readme_explains_updating(project: Path) -> None:
    readme = (project / "README.md").read_text()
    for text in (
        "git add -A && git commit",
        "copier update --defaults",
        "--data line_length=",
        "--conflict inline",
        "copier recopy",
        ".copier-answers.yml",
    ):
        assert text in readme, text


@pytest.mark.slow
def test_template_changes_reach_the_project(project: Path) -> None:
    update_project(project, "v2")
    config = (project / "app/core/config.py").read_text()
    assert 'rate_limit_register: str = "20/minute"' in config
    assert (project / "SECURITY.md").read_text() == "Report vulnerabilities privately.\n"
    assert not (project / ".dockerignore").exists()
    assert conflicted(project) == []


@pytest.mark.slow
def test_user_edits_survive_an_update(project: Path) -> None:
    (project / "app/routers/ping.py").write_text(
        '"""A user\'s own endpoint."""\n\nfrom fastapi import APIRouter\n\n'
        'router = APIRouter()\n\n\n@router.get("/ping")\nasync def ping() -> str:\n'
        '    """Answer pong."""\n    return "pong"\n',
    )
    (project / "tests/test_ping.py").write_text("def test_ping() -> None:\n    assert 1\n")
    edit(project / "app/core/config.py", "log_json: bool = True", "log_json: bool = False")
    doc = project / ("AGENTS.md" if (project / "AGENTS.md").exists() else "README.md")
    doc.write_text(doc.read_text() + "\n## Team notes\n\nOn-call rota: see the wiki.\n")
    (project / "NOTES.md").write_text("Our own notes.\n")
    commit_all(project, "User work")

    update_project(project, "v2")

    assert 'return "pong"' in (project / "app/routers/ping.py").read_text()
    assert (project / "tests/test_ping.py").exists()
    config = (project / "app/core/config.py").read_text()
    assert "log_json: bool = False" in config
    assert 'rate_limit_register: str = "20/minute"' in config
    assert doc.read_text().endswith("## Team notes\n\nOn-call rota: see the wiki.\n")
    assert (project / "NOTES.md").read_text() == "Our own notes.\n"
    assert conflicted(project) == []


@pytest.mark.slow
def test_a_conflict_is_marked_inline_and_shows_in_git_status(project: Path) -> None:
    config = project / "app/core/config.py"
    edit(
        config,
        "access_token_expire_minutes: int = Field(default=30,",
        "access_token_expire_minutes: int = Field(default=60,",
    )
    commit_all(project, "Longer tokens")

    update_project(project, "v2")

    text = config.read_text()
    assert conflicted(project) == ["app/core/config.py"]
    assert "access_token_expire_minutes: int = Field(default=60," in text
    assert "access_token_expire_minutes: int = Field(default=15," in text
    assert "app/core/config.py" in changed_files(project)


@pytest.mark.slow
def test_a_file_the_user_deleted_stays_deleted(project: Path) -> None:
    (project / "Makefile").unlink()
    commit_all(project, "We use just")
    update_project(project, "v2")
    assert not (project / "Makefile").exists()


@pytest.mark.slow
def test_changing_the_line_length_on_update_rewrites_every_statement_of_it(
    project: Path,
) -> None:
    update_project(project, "v1", line_length=100)
    assert "line-length = 100" in (project / "pyproject.toml").read_text()
    stale = [
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file()
        and ".git" not in path.parts
        and re.search(r"(?i)line[ _-]length\D{0,40}\b88\b", path.read_text(errors="replace"))
    ]
    assert stale == []
    assert_ok(run(["ruff", "check", "--no-cache", "."], project))
    assert_ok(run(["ruff", "format", "--check", "--no-cache", "."], project))
    if (project / "tests/test_agent_docs.py").exists():
        assert_ok(
            run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "--no-cov",
                    "tests/test_agent_docs.py",
                ],
                project,
            )
        )


@pytest.mark.parametrize("question", LOCKED)
@pytest.mark.slow
def test_answers_that_reshape_the_tree_are_refused_on_update(
    project: Path,
    question: str,
) -> None:
    before = git(project, "rev-parse", "HEAD")
    with pytest.raises(ValueError, match=rf"{question} is \S+ in this project"):
        update_project(project, "v2", **{question: NEW_VALUE})
    assert git(project, "rev-parse", "HEAD") == before
    assert changed_files(project) == set()


def _releases() -> list[tuple[str, str]]:
    """(version, commit) pairs from RELEASES, oldest first."""
    lines = (TEMPLATE_ROOT / "RELEASES").read_text().splitlines()
    return [
        (fields[0], fields[1])
        for fields in (line.split() for line in lines)
        if fields and not fields[0].startswith("#")
    ]


def release_then_template(template_src: Path, repo: Path, version: str, commit: str) -> Path:
    """A template repository: the release tagged v1, the template under test as v2."""
    repo.mkdir()
    # The release, straight from this repository's history.
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(repo)], input=archive, check=True)
    commit_all(repo, f"Release {version}", tag="v1")
    # The template under test, on top of it.
    for child in repo.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(template_src, repo, dirs_exist_ok=True)
    commit_all(repo, "Template under test", tag="v2")
    return repo


def test_every_release_has_user_code_to_update_with() -> None:
    """Each release in RELEASES gets a user resource in its patterns (tests/user_code/)."""
    assert sorted(version for version, _ in _releases()) == releases_with_user_code()


@pytest.mark.deep
@pytest.mark.parametrize(("version", "commit"), _releases(), ids=[v for v, _ in _releases()])
def test_a_project_with_user_code_updates_from_a_release_and_passes_every_check(
    template_src: Path,
    tmp_path: Path,
    version: str,
    commit: str,
) -> None:
    """A `notes` resource written in the release's patterns survives the update and works."""
    repo = release_then_template(template_src, tmp_path / "template", version, commit)
    project = copy_project(repo, tmp_path / "project", "v1")
    apply_user_code(version, project)
    commit_all(project, "User work")
    # Its answers file predates `locked_answers`: the lock still holds on this update.
    with pytest.raises(ValueError, match="architecture is routers-services in this project"):
        update_project(project, "v2", architecture="feature-modules")
    assert changed_files(project) == set()
    update_project(project, "v2")

    assert conflicted(project) == []
    for path, lines in user_lines(version).items():
        text = (project / path).read_text()
        assert [line for line in lines if line not in text] == [], path
    # A release whose user code is an earlier one's (fixture.yml's `base`) is fuzzed there.
    own_code = "base" not in fixture_spec(version)
    assert_passes_every_check(
        project,
        whole_suite=version == _releases()[-1][0],
        fuzz=own_code,
    )


@pytest.mark.deep
def test_the_after_copy_steps_leave_a_tree_that_updates(template: Path, tmp_path: Path) -> None:
    """Copier's closing message, followed as written, then `copier update` right away."""
    copier = str(Path(sys.executable).parent / "copier")
    dest = tmp_path / "fresh"
    copied = subprocess.run(
        [copier, "copy", "--defaults", "--vcs-ref", "v1", str(template), str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert copied.returncode == 0, copied.stderr
    assert "Warning" not in copied.stderr
    steps = copied.stderr.split("Next steps:", 1)[1].strip().splitlines()
    commands = [line.split("  #", 1)[0].strip() for line in steps]
    # Serving and testing are long-running or covered elsewhere; the rest runs as written.
    skipped = ("cd ", "uv run fastapi dev", "uv run pytest")
    env = {**os.environ, **GIT_ENV}
    env.pop("VIRTUAL_ENV", None)
    for command in commands:
        if command and not command.startswith(skipped):
            result = subprocess.run(
                ["bash", "-c", command], cwd=dest, env=env, capture_output=True, text=True
            )
            assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    assert git(dest, "status", "--porcelain") == ""
    updated = subprocess.run(
        [copier, "update", "--defaults", "--vcs-ref", "v2"],
        cwd=dest,
        capture_output=True,
        text=True,
        check=False,
    )
    assert updated.returncode == 0, updated.stderr
    assert "uv run ruff format ." in updated.stderr


OPTIONS = [
    # The exports model and router are registered on lines of their own, away from
    # the ones a user edits to register a resource, so the merge is clean.
    pytest.param({"task_queue": "celery"}, id="task_queue"),
    pytest.param({"spec_driven": True}, id="spec_driven"),
    pytest.param({"ai_tools": ["cursor", "copilot", "gemini"]}, id="ai_tools"),
]


@pytest.mark.deep
@pytest.mark.parametrize("option", OPTIONS)
def test_turning_an_option_on_beside_user_migrations_needs_no_manual_step(
    template: Path,
    tmp_path: Path,
    option: dict[str, object],
) -> None:
    """An option turned on by `copier update` in a project with its own resource."""
    project = copy_project(template, tmp_path / "project", "v2")
    apply_user_code("0.1.0", project)
    commit_all(project, "User work")
    update_project(project, "v2", **option)

    assert conflicted(project) == []
    # The user's revision and the template's are branches; the documented merge joins
    # them, and the merge revision passes the same checks as the rest.
    assert_ok(run(["alembic", "merge", "heads", "-m", "merge"], project))
    heads = run(["alembic", "heads"], project)
    assert_ok(heads)
    assert len(heads.stdout.strip().splitlines()) == 1, heads.stdout
    # 0.1.0's resource is fuzzed in its release's update test.
    assert_passes_every_check(project, fuzz=False)


@pytest.mark.deep
@pytest.mark.parametrize("how", ["recipe", "new-resource"])
def test_turning_celery_on_beside_a_0_4_0_projects_own_revision_0004(
    template_src: Path,
    tmp_path: Path,
    how: str,
) -> None:
    """0.4.0 numbered a project's first revision 0004, as Celery's merge revision is.

    The merge takes another ID beside the project's own 0004 (`bak_0004`), so turning
    Celery on by update keeps both, and a database that applied the project's 0004
    gets the exports table on its next upgrade.
    """
    commit = dict(_releases())["0.4.0"]
    repo = release_then_template(template_src, tmp_path / "template", "0.4.0", commit)
    project = copy_project(repo, tmp_path / "project", "v1")
    if how == "recipe":
        apply_user_code("0.4.0", project)
    else:
        command = [sys.executable, "-m", "app.cli", "new-resource", "notes"]
        assert_ok(run([*command, "--field", "body:str"], project))
    assert (project / "migrations/versions/0004_add_notes.py").is_file()
    commit_all(project, "User work")
    database = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'local.db'}"}
    assert_ok(run(["alembic", "upgrade", "heads"], project, env=database))

    update_project(project, "v2", task_queue="celery")

    assert conflicted(project) == []
    heads = run(["alembic", "heads"], project)
    assert_ok(heads)
    # The project's own 0004, and the template's exports line: its merge took the ID
    # bak_0004 beside the project's 0004, and bak_0005 follows it.
    assert sorted(line.split()[0] for line in heads.stdout.splitlines()) == [
        "0004",
        "bak_0005",
    ], heads.stdout
    assert_ok(run(["alembic", "upgrade", "heads"], project, env=database))
    with sqlite3.connect(tmp_path / "local.db") as connection:
        rows = connection.execute("select name from sqlite_master where type = 'table'")
        tables = {name for (name,) in rows}
    assert {"exports", "notes"} <= tables
    # 0.4.0's resource is fuzzed in its release's update, new-resource's in the deep tier.
    assert_passes_every_check(project, fuzz=False)
