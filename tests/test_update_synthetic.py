"""An update to a next release, in a project customized in every documented place.

The next release is made here from the template under test (tag v1) by the kind of
edits real releases make (tag v2): a new setting and its variable, a section in
AGENTS.md and a new skill, a Makefile target, a dependency. The project, generated
from v1 in each layering, is customized the ways its README's "Your code and template
updates" lists, with a resource added by `new-resource`; the update to v2 must leave
no conflict, no `.rej` file and every line the user wrote, bring the release's
edits, and pass the checks.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import assert_ok, run
from tests.update_support import (
    assert_passes_every_check,
    commit_all,
    conflicted,
    copy_project,
    template_repo,
    update_project,
)

LAYERINGS = [
    "routers-services",
    "routes-services-crud",
    "routes-controllers-services",
    "feature-modules",
]
PACKAGE = "app"
NEW_SETTING = "    release_feature_enabled: bool = False\n"
OWN_PLACE_CHANGE = "# Changed in a later release.\n"
REGISTRY_CHANGE = "# Registered by a later release.\n"


def _insert_after(path: Path, anchor: str, text: str) -> None:
    content = path.read_text()
    assert anchor in content, f"{anchor!r} not in {path}"
    path.write_text(content.replace(anchor, anchor + text, 1))


def _insert_before(path: Path, anchor: str, text: str) -> None:
    content = path.read_text()
    assert anchor in content, f"{anchor!r} not in {path}"
    path.write_text(content.replace(anchor, text + anchor, 1))


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _own_places(root: Path) -> list[Path]:
    """The template's files of the project's own places (in conditional names too)."""
    names = ("project.mk", ".env.project", "AGENTS.project")
    return [
        path
        for path in root.rglob("*")
        if path.is_file()
        and "tests" not in path.parts
        and ("project_" in path.name or path.name.startswith(names))
    ]


def _registries(root: Path) -> list[Path]:
    """The template's files of the models and routers registries, in every layering."""
    package = root / "{{ package_name }}"
    folders = ("models{% endif %}", "routers{% endif %}", "routes")
    in_folders = [
        path for path in package.rglob("__init__.py.jinja") if path.parent.name.endswith(folders)
    ]
    # Modules with a conditional name, e.g. "{% if ... %}models.py{% endif %}.jinja".
    modules = [
        path
        for path in package.glob("{%*.jinja")
        if path.name.split("%}")[1].startswith(("models.py{", "api.py{"))
    ]
    return [path for path in in_folders + modules if "project_" not in path.name]


def next_release(repo: Path) -> None:
    """Edit the template as a release would, and tag it v2."""
    root = repo / "template"
    config = root / "{{ package_name }}" / "core" / "config.py.jinja"
    _insert_after(config, "    user_cache_seconds: Seconds = 5.0\n", NEW_SETTING)
    _append(root / ".env.example.jinja", "# RELEASE_FEATURE_ENABLED=false\n")
    _insert_before(
        root / "AGENTS.md.jinja",
        "## Coding rules\n",
        "## Release notes\n\nThe release feature is off unless RELEASE_FEATURE_ENABLED is set.\n\n",
    )
    skill = root / ".claude" / "skills" / "release-check" / "SKILL.md"
    skill.parent.mkdir(parents=True)
    skill.write_text(
        "---\nname: release-check\ndescription: Check the release feature before a "
        "deploy.\n---\n\n# Release check\n\nRun `make check`.\n"
    )
    _insert_before(
        root / "Makefile.jinja",
        "# The project's own targets (the template never rewrites project.mk).\n",
        "release-notes:\n\t@echo notes\n\n",
    )
    _insert_after(root / "pyproject.toml.jinja", "dependencies = [\n", '    "anyio>=4",\n')
    # A release may register something of its own in the template's registries, where
    # projects registered their resources before they had modules of their own.
    registries = _registries(root)
    assert len(registries) == 5, registries  # two of models, three of routers
    for registry in registries:
        _append(registry, "\n" + REGISTRY_CHANGE)
    # A release may improve the comments of the project's own places too: projects
    # made before keep theirs, as the template writes those files only once.
    for path in _own_places(root):
        _append(path, OWN_PLACE_CHANGE if path.suffix != ".md" else "\nChanged later.\n")
    commit_all(repo, "Template v2", tag="v2")


def customize(project: Path) -> dict[str, list[str]]:
    """Customize each documented place; return the lines written, per file."""
    written: dict[str, list[str]] = {}

    def add(relative: str, lines: list[str], *, after: str | None = None) -> None:
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text() if path.exists() else ""
        block = "".join(f"{line}\n" for line in lines)
        if after is None:
            text += block
        else:
            assert after in text, f"{after!r} not in {relative}"
            text = text.replace(after, after + block, 1)
        path.write_text(text)
        written[relative] = [line for line in lines if line.strip()]

    settings = next(project.rglob("project_settings.py")).relative_to(project)
    add(str(settings), ["    notes_per_user: int = 100"])
    add(".env.project.example", ["NOTES_PER_USER=100"])
    add("AGENTS.project.md", ["", "Notes belong to one user; nobody else reads them."])
    add(
        ".claude/skills/notes-audit/SKILL.md",
        [
            "---",
            "name: notes-audit",
            "description: Audit who can read notes.",
            "---",
            "",
            "# Notes audit",
        ],
    )
    add("project.mk", ["", "notes-report:", "\t@echo notes"])
    hooks = next(project.rglob("project_hooks.py")).relative_to(project)
    add(
        str(hooks),
        ["    app.state.notes_enabled = True"],
        after='exception handlers and routes to `app`."""\n',
    )
    add(
        ".github/workflows/nightly.yml",
        [
            "name: nightly",
            "on:",
            "  schedule:",
            "    - cron: '0 3 * * *'",
            "jobs:",
            "  report:",
            "    runs-on: ubuntu-latest",
            "    steps:",
            "      - run: echo nightly",
        ],
    )
    pyproject = (project / "pyproject.toml").read_text()
    added = run(["uv", "add", "--frozen", "humanize>=4"], project)
    assert_ok(added)
    new_lines = set((project / "pyproject.toml").read_text().splitlines())
    written["pyproject.toml"] = sorted(new_lines - set(pyproject.splitlines()))
    assert written["pyproject.toml"], "uv add wrote nothing"
    command = [sys.executable, "-m", f"{PACKAGE}.cli", "new-resource", "notes"]
    assert_ok(run([*command, "--field", "body:str"], project))
    # It registered the resource in the project's own models and routers modules.
    registered = {
        str(path.relative_to(project)): [
            line for line in path.read_text().splitlines() if "note" in line.lower()
        ]
        for path in (project / PACKAGE).rglob("project_*.py")
        if str(path.relative_to(project)) not in written
    }
    assert len([lines for lines in registered.values() if lines]) == 2, registered
    written.update(registered)
    return written


@pytest.mark.slow
@pytest.mark.parametrize("architecture", LAYERINGS)
def test_a_customized_project_updates_to_the_next_release_without_a_conflict(
    template_src: Path,
    tmp_path: Path,
    architecture: str,
) -> None:
    repo = template_repo(template_src, tmp_path / "template")
    next_release(repo)
    project = copy_project(repo, tmp_path / "project", "v1", architecture=architecture)
    written = customize(project)
    assert all(written.values()), written
    commit_all(project, "User work")

    update_project(project, "v2")

    assert conflicted(project) == []
    lost = {
        path: [line for line in lines if line not in (project / path).read_text()]
        for path, lines in written.items()
    }
    assert {path: lines for path, lines in lost.items() if lines} == {}
    # The release's edits arrived beside them.
    config = next(project.rglob("core/config.py")).read_text()
    assert NEW_SETTING in config
    assert "RELEASE_FEATURE_ENABLED" in (project / ".env.example").read_text()
    assert "Release notes" in (project / "AGENTS.md").read_text()
    assert (project / ".claude/skills/release-check/SKILL.md").is_file()
    assert "release-notes:" in (project / "Makefile").read_text()
    # In the models and the routers registry: their lines and new-resource's never met.
    sources = [path.read_text() for path in (project / PACKAGE).rglob("*.py")]
    assert sum(REGISTRY_CHANGE in source for source in sources) == 2
    assert '"anyio>=4",' in (project / "pyproject.toml").read_text()
    # The project's own places are left as the user made them.
    own = [path for path in written if not path.startswith((".claude", ".github", "pyproject"))]
    assert [path for path in own if OWN_PLACE_CHANGE in (project / path).read_text()] == []
    assert [path for path in own if "Changed later." in (project / path).read_text()] == []
    # new-resource's code is fuzzed in the deep tier.
    assert_passes_every_check(project, fuzz=False)
