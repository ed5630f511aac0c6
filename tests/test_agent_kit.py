"""The agent kit: AGENTS.md, CLAUDE.md, .claude/ and the optional tool files.

Each generated project ships tests/test_agent_docs.py, the drift check. These tests
run it in generated projects (it must pass), mutate a project (it must fail, naming
the file and the stale fact), check that no unchosen option leaks into the agent
files, and validate the frontmatter of subagents and skills. agnix, when installed,
must report no errors.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml

from tests.conftest import VENV_BIN, Generate
from tests.matrix import choices, combo_id, defaults, every_combination, one_at_a_time

ROLES = (
    "backend-architect",
    "backend-engineer",
    "code-reviewer",
    "database-engineer",
    "test-engineer",
)
SKILLS = (
    "mission",
    "feature",
    "endpoint",
    "db-operation",
    "service",
    "status-report",
    "incident",
    "async-operation",
    "handoff",
    "delegate",
    "review",
    "migration",
)
HANDOFF_FILES = (
    "README.md",
    "feature-brief.md",
    "architect-output.md",
    "database-engineer-output.md",
    "backend-engineer-output.md",
)
# Claude Code's built-in tool names a subagent may list (agnix knows each).
REAL_TOOLS = {
    "Bash",
    "Edit",
    "Glob",
    "Grep",
    "NotebookEdit",
    "Read",
    "Skill",
    "Task",
    "TodoWrite",
    "WebFetch",
    "WebSearch",
    "Write",
}
MODELS = {"sonnet", "opus", "haiku", "inherit"}
AGENT_GLOBS = (
    "AGENTS.md",
    "CLAUDE.md",
    "GEMINI.md",
    ".github/copilot-instructions.md",
    ".cursor/rules/*.mdc",
    ".claude/**/*.md",
    ".claude/settings.json",
    ".specify/**/*.md",
    "specs/**/*.md",
    "history/**/*.md",
)
ALL_TOOLS = ["cursor", "copilot", "gemini"]
# Answers beyond the shaping questions: the agent kit's own options.
EXTRAS: list[dict[str, Any]] = [
    {"spec_driven": True, "ai_tools": ALL_TOOLS, "line_length": 100},
    {"package_name": "svc", "ai_tools": ["cursor"]},
]


def extra_combos() -> list[dict[str, Any]]:
    return [{**defaults(), **extra} for extra in EXTRAS]


def kit_id(answers: dict[str, Any]) -> str:
    extra = [
        "spec" if answers.get("spec_driven") else "",
        "+".join(answers.get("ai_tools", [])),
        answers.get("package_name", ""),
    ]
    return "-".join([combo_id(answers), *filter(None, extra)])


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "answers" in metafunc.fixturenames:
        full = metafunc.config.getoption("--all-combinations")
        combos = (every_combination() if full else one_at_a_time()) + extra_combos()
        metafunc.parametrize("answers", combos, ids=[kit_id(c) for c in combos])


@pytest.fixture(scope="module")
def project_for(generate: Generate) -> Any:
    """Render a project for a dict of answers (the session's shared renders)."""

    def render(answers: dict[str, Any]) -> Path:
        return generate(**answers)

    return render


def drift_check(project: Path) -> subprocess.CompletedProcess[str]:
    """Run the generated project's drift check, without its conftest or coverage."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_agent_docs.py",
            "-p",
            "no:cacheprovider",
            "--noconftest",
            "-o",
            "addopts=",
            "-q",
        ],
        cwd=project,
        # The drift check needs no plugin; loading the environment's takes seconds.
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def agent_files(project: Path) -> list[Path]:
    found: set[Path] = set()
    for pattern in AGENT_GLOBS:
        found.update(p for p in project.glob(pattern) if p.is_file())
    return sorted(found)


def frontmatter(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text()
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    assert match, f"{path.name}: no YAML frontmatter"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict), f"{path.name}: frontmatter is not a mapping"
    return data, match.group(2)


def facts_data(template_src: Path, answers: dict[str, Any]) -> dict[str, Any]:
    """Every layering and migration tool in extensions/facts.jinja, for `answers`."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template_src))
    source = (
        '{% from "extensions/facts.jinja" import layerings, migration_tools'
        " with context %}{{ {'layerings': layerings,"
        " 'migration_tools': migration_tools} | tojson }}"
    )
    context = {**defaults(), "package_name": "app", **answers}
    return dict(json.loads(env.from_string(source).render(**context)))


def copy_of(project: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "mutated"
    shutil.copytree(project, dest, ignore=shutil.ignore_patterns(".venv", "*.db"))
    return dest


def assert_fails_naming(project: Path, *needles: str) -> None:
    result = drift_check(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"drift check passed after the mutation:\n{output}"
    for needle in needles:
        assert needle in output, f"drift check output lacks {needle!r}:\n{output[-4000:]}"


def stated_facts(project: Path) -> dict[str, str]:
    text = (project / "AGENTS.md").read_text()
    block = re.search(r"<!-- agent-facts[^\n]*\n(.*?)-->", text, re.S)
    assert block, "AGENTS.md has no agent-facts block"
    pairs = (line.partition(":") for line in block.group(1).splitlines())
    return {key.strip(): value.strip() for key, _, value in pairs if value}


# ------------------------------------------------------------- drift check passes


def test_drift_check_passes(project_for: Any, answers: dict[str, Any]) -> None:
    project = project_for(answers)
    result = drift_check(project)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_agnix_reports_no_errors(project_for: Any, answers: dict[str, Any]) -> None:
    agnix = shutil.which("agnix", path=str(VENV_BIN)) or shutil.which("agnix")
    if agnix is None:
        pytest.skip("agnix is not installed in the template's environment")
    project = project_for(answers)
    result = subprocess.run(
        [agnix, "--format", "json", "."],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(result.stdout)
    errors = [d for d in report["diagnostics"] if d["level"] == "error"]
    assert not errors, json.dumps(errors, indent=2)


def test_size_budgets(project_for: Any, answers: dict[str, Any]) -> None:
    project = project_for(answers)
    assert len((project / "CLAUDE.md").read_text().splitlines()) <= 200
    assert len((project / "AGENTS.md").read_bytes()) <= 32 * 1024


def _table_edges(text: str) -> list[str]:
    """Lines that touch a Markdown table without the blank line that ends or starts it."""
    lines = text.splitlines()
    in_fence = False
    found = []
    for before, after in itertools.pairwise(lines):
        if before.startswith("```"):
            in_fence = not in_fence
        if in_fence or not (before.strip() and after.strip()):
            continue
        # GitHub reads a line right after a table as one more row of it.
        if before.startswith("|") != after.startswith("|"):
            found.append(after if before.startswith("|") else before)
    return found


def test_markdown_tables_stand_apart(project_for: Any, answers: dict[str, Any]) -> None:
    project = project_for(answers)
    files = [p for p in project.rglob("*.md*") if ".venv" not in p.parts and p.is_file()]
    offenders = {
        str(path.relative_to(project)): edges
        for path in files
        if (edges := _table_edges(path.read_text()))
    }
    assert offenders == {}


# ---------------------------------------------------------------- nothing leaks


def test_no_unchosen_option_leaks(
    project_for: Any,
    template_src: Path,
    answers: dict[str, Any],
) -> None:
    project = project_for(answers)
    package = answers.get("package_name", "app")
    facts = facts_data(template_src, {**answers, "package_name": package})
    chosen = facts["layerings"][answers["architecture"]]
    chosen_dirs = {layer["dir"] for layer in chosen["layers"]}
    other_dirs = {
        layer["dir"]
        for name, layering in facts["layerings"].items()
        if name != answers["architecture"]
        for layer in layering["layers"]
    } - chosen_dirs
    chosen_tool = facts["migration_tools"].get(answers["migration_tool"], {})
    other_commands = {
        value
        for name, tool in facts["migration_tools"].items()
        if name != answers["migration_tool"]
        for key, value in tool.items()
        if isinstance(value, str) and value.startswith("uv run ")
    } - set(chosen_tool.values())
    other_length = ({88, 100} - {answers["line_length"]}).pop()
    wrong_length = re.compile(
        rf"\b{other_length}[ -]char|line[ -]length\D{{0,40}}\b{other_length}\b",
        re.I,
    )
    problems = []
    for path in agent_files(project):
        text = path.read_text()
        name = path.relative_to(project).as_posix()
        problems += [f"{name}: layer dir {d}" for d in other_dirs if f"{d}/" in text]
        problems += [f"{name}: command {c}" for c in other_commands if c in text]
        if wrong_length.search(text):
            problems.append(f"{name}: states line length {other_length}")
        for other in set(choices("migration_tool")) - {answers["migration_tool"]}:
            if other != "none" and re.search(rf"\b{re.escape(other)}\b", text, re.I):
                problems.append(f"{name}: mentions migration tool {other}")
    assert not problems, "\n".join(problems)


def test_optional_files_follow_the_answers(project_for: Any) -> None:
    plain = project_for(defaults())
    full = project_for(extra_combos()[0])
    optional = [
        ".specify/memory/constitution.md",
        "specs/README.md",
        "history/prompts/TEMPLATE.md",
        ".cursor/rules/agents.mdc",
        ".github/copilot-instructions.md",
        ".gemini/settings.json",
    ]
    assert [p for p in optional if (plain / p).exists()] == []
    assert [p for p in optional if not (full / p).exists()] == []
    assert "Spec-driven" not in (plain / "AGENTS.md").read_text()
    assert "Spec-driven" in (full / "AGENTS.md").read_text()
    cursor, body = frontmatter(full / ".cursor/rules/agents.mdc")
    assert cursor["alwaysApply"] is True
    assert cursor["description"]
    assert "AGENTS.md" in body
    copilot = (full / ".github/copilot-instructions.md").read_text()
    assert "AGENTS.md" in copilot
    assert "uv run" not in copilot, "copilot-instructions.md repeats AGENTS.md"
    gemini = json.loads((full / ".gemini/settings.json").read_text())
    assert gemini["context"]["fileName"] == ["AGENTS.md"]


# ------------------------------------------------------------------- structure


def test_claude_files(project_for: Any) -> None:
    project = project_for(defaults())
    claude = (project / "CLAUDE.md").read_text()
    assert re.search(r"^@AGENTS\.md$", claude, re.M)
    for role in ROLES:
        data, body = frontmatter(project / ".claude/agents" / f"{role}.md")
        assert data["name"] == role
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", data["name"])
        assert data["description"].startswith("Use ")
        tools = {t.strip() for t in data["tools"].split(",")}
        assert tools <= REAL_TOOLS, f"{role}: unknown tools {tools - REAL_TOOLS}"
        assert data["model"] in MODELS
        assert "AGENTS.md" in body
        assert f"`{role}`" in claude
    for name in SKILLS:
        data, body = frontmatter(project / ".claude/skills" / name / "SKILL.md")
        assert data["name"] == name
        assert data["description"]
        assert data["argument-hint"]
        assert data.get("disable-model-invocation", False) in {True, False}
        assert "$ARGUMENTS" in body
        assert f"`/{name}`" in claude
    for name in HANDOFF_FILES:
        assert (project / ".claude/handoff" / name).is_file()
    settings = json.loads((project / ".claude/settings.json").read_text())
    allow = settings["permissions"]["allow"]
    assert "Bash(uv run pytest:*)" in allow
    assert "Read(./.env)" in settings["permissions"]["deny"]


def test_layers_and_commands_come_from_the_answers(project_for: Any) -> None:
    project = project_for(extra_combos()[1])
    facts = stated_facts(project)
    assert facts["package"] == "svc"
    assert all(d.split("=")[1].startswith("svc/") for d in facts["layers"].split())
    text = (project / "AGENTS.md").read_text()
    assert "`app/" not in text
    assert "svc.cli" in text


# ------------------------------------------------------------------- mutations


def test_renamed_layer_directory_fails(project_for: Any, tmp_path: Path) -> None:
    project = copy_of(project_for(defaults()), tmp_path)
    layers = dict(item.split("=") for item in stated_facts(project)["layers"].split())
    name, directory = list(layers.items())[len(layers) // 2]
    (project / directory).rename(project / f"{directory}_renamed")
    assert_fails_naming(project, "AGENTS.md", f"`{directory}/`", f"layer `{name}`")


def test_changed_line_length_fails(project_for: Any, tmp_path: Path) -> None:
    project = copy_of(project_for(defaults()), tmp_path)
    stated = stated_facts(project)["line-length"]
    other = "100" if stated == "88" else "88"
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    assert f"line-length = {stated}" in text
    pyproject.write_text(text.replace(f"line-length = {stated}", f"line-length = {other}"))
    assert_fails_naming(project, "AGENTS.md", f"line length [{stated}]", other)


def test_deleted_named_path_fails(project_for: Any, tmp_path: Path) -> None:
    project = copy_of(project_for(defaults()), tmp_path)
    (project / ".env.example").unlink()
    assert_fails_naming(project, "AGENTS.md", "`.env.example`")


def test_unknown_command_fails(project_for: Any, tmp_path: Path) -> None:
    project = copy_of(project_for(defaults()), tmp_path)
    claude = project / "CLAUDE.md"
    claude.write_text(claude.read_text() + "\nRun `uv run black .` first.\n")
    assert_fails_naming(project, "CLAUDE.md", "`uv run black .`")


def test_uninstalled_tool_fails(project_for: Any, tmp_path: Path) -> None:
    project = copy_of(project_for(defaults()), tmp_path)
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    assert '"import-linter' in text
    pyproject.write_text(re.sub(r'\n\s*"import-linter[^"]*",', "", text))
    assert_fails_naming(project, "AGENTS.md", "`lint-imports`")


def test_size_budget_fails(project_for: Any, tmp_path: Path) -> None:
    project = copy_of(project_for(defaults()), tmp_path)
    claude = project / "CLAUDE.md"
    claude.write_text(claude.read_text() + "\n" * 200)
    assert_fails_naming(project, "CLAUDE.md has")


def test_moved_migrations_fail(project_for: Any, tmp_path: Path) -> None:
    project = copy_of(project_for(defaults()), tmp_path)
    directory = stated_facts(project).get("migration-dir")
    if directory is None:
        pytest.skip("the default answers have no migration tool")
    (project / directory).rename(project / f"{directory}_moved")
    assert_fails_naming(project, "AGENTS.md", f"migration directory `{directory}/`")
