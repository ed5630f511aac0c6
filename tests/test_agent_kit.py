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

import pytest
import yaml

from tests.conftest import VENV_BIN, Generate, template_facts
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
    "resource",
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
    # Every option on: the longest AGENTS.md.
    {
        "stack": "sqlmodel",
        "architecture": "feature-modules",
        "migration_tool": "yoyo",
        "task_queue": "celery",
        "spec_driven": True,
        "ai_tools": ALL_TOOLS,
        "line_length": 100,
    },
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


def answered_facts(template_src: Path, answers: dict[str, Any], names: dict[str, str]) -> Any:
    """`names` from the template's facts for `answers`, the package name defaulted."""
    package = answers.get("package_name", "app")
    return template_facts(template_src, {**answers, "package_name": package}, names)


def facts_data(template_src: Path, answers: dict[str, Any]) -> dict[str, Any]:
    """Every layering and migration tool in extensions/facts.jinja, for `answers`."""
    names = {"layerings": "facts", "migration_tools": "facts"}
    return dict(template_facts(template_src, answers, names))


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


CODE_SPAN = re.compile(r"`([^`\n]+)`")


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


def test_agnix_reports_no_errors_and_no_warnings(project_for: Any, answers: dict[str, Any]) -> None:
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
    problems = [d for d in report["diagnostics"] if d["level"] in ("error", "warning")]
    assert not problems, json.dumps(problems, indent=2)


def test_size_budgets(project_for: Any, answers: dict[str, Any]) -> None:
    project = project_for(answers)
    assert len((project / "CLAUDE.md").read_text().splitlines()) <= 200
    assert len((project / "AGENTS.md").read_text().splitlines()) <= 200
    assert len((project / "AGENTS.md").read_bytes()) <= 32 * 1024


# The answers that make AGENTS.md longest (a domain per package, Alembic's steps, the
# worker's command and the spec-driven section): not always in the covering set.
LARGEST = {
    "architecture": "feature-modules",
    "migration_tool": "alembic",
    "task_queue": "celery",
    "spec_driven": True,
}


def test_size_budgets_hold_in_the_largest_project(project_for: Any) -> None:
    project = project_for({**defaults(), **LARGEST})
    lines = len((project / "AGENTS.md").read_text().splitlines())
    # agnix warns past 200 lines of an imported file: `make check` prints it.
    assert lines <= 200, f"AGENTS.md has {lines} lines"
    assert len((project / "CLAUDE.md").read_text().splitlines()) <= 200


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
    facts = answered_facts(
        template_src, answers, {"layerings": "facts", "migration_tools": "facts"}
    )
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
    assert "Bash(uv run pytest *)" in allow
    assert not [rule for rule in allow if ":*" in rule or rule.startswith("Bash(uv run python *")]
    assert "Read(./.env)" in settings["permissions"]["deny"]
    (hook,) = settings["hooks"]["PostToolUse"]
    assert hook["matcher"] == "Edit|MultiEdit|Write"
    assert ".claude/hooks/format_python.py" in hook["hooks"][0]["command"]
    assert (project / ".claude/hooks/format_python.py").is_file()


def test_claude_hook_script_type_checks(project_for: Any) -> None:
    # `mypy .` skips hidden directories, so the project's own check never sees it.
    project = project_for(defaults())
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", ".claude/hooks/format_python.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_layers_and_commands_come_from_the_answers(project_for: Any) -> None:
    project = project_for(extra_combos()[1])
    facts = stated_facts(project)
    assert facts["package"] == "svc"
    assert all(d.split("=")[1].startswith("svc/") for d in facts["layers"].split())
    text = (project / "AGENTS.md").read_text()
    assert "`app/" not in text
    assert "svc.cli" in text


def test_new_resource_command_leads_the_resource_docs(
    project_for: Any,
    template_src: Path,
    answers: dict[str, Any],
) -> None:
    project = project_for(answers)
    package = answers.get("package_name", "app")
    recipe = answered_facts(template_src, answers, {"recipe": "recipe"})["recipe"]
    agents = (project / "AGENTS.md").read_text()
    section = agents.split("## Adding a resource", 1)[1].split("\n## ", 1)[0]
    assert section.index(f"`{recipe['command']}`") < section.index("when the command does not fit")
    skill = (project / ".claude/skills/resource/SKILL.md").read_text()
    assert f"{package}.cli new-resource <plural>" in skill
    for edit in recipe["by_hand"]:
        assert f"`{edit['path']}`" in section
        assert f"`{edit['path']}`" in skill
    for name in (".claude/skills/feature/SKILL.md", ".claude/agents/backend-engineer.md"):
        assert "`/resource`" in (project / name).read_text(), name
    # Resources go in the project's own registries, which updates never touch.
    own = answered_facts(template_src, answers, {"own": "facts"})["own"]
    assert f"registers the model in `{own['models']}` and the router in `{own['routers']}`" in skill
    database = (project / ".claude/agents/database-engineer.md").read_text()
    assert re.search(rf"imported in\s+`{re.escape(own['models'])}`", database)
    assert f"`{recipe['command']}`" in (project / "README.md").read_text()


def conftest_fixtures(project: Path) -> list[str]:
    text = (project / "tests/conftest.py").read_text()
    return re.findall(r"^@pytest\.fixture\b[^\n]*\n(?:async )?def (\w+)", text, re.M)


@pytest.mark.parametrize("extra", [{}, EXTRAS[0]], ids=["defaults", "extras"])
def test_documented_fixtures_are_the_conftests(
    project_for: Any,
    extra: dict[str, Any],
) -> None:
    project = project_for({**defaults(), **extra})
    fixtures = conftest_fixtures(project)
    assert "client" in fixtures
    agents = (project / "AGENTS.md").read_text()
    listed = re.search(r"Fixtures in `tests/conftest.py`:\s*(.*?)\.\n", agents, re.S)
    assert listed, "AGENTS.md lists no fixtures"
    assert re.findall(r"`(\w+)`", listed.group(1)) == fixtures
    engineer = (project / ".claude/agents/test-engineer.md").read_text()
    assert re.findall(r"^- `(\w+)`: ", engineer, re.M) == fixtures


def owners(project: Path) -> dict[str, list[str]]:
    """The paths each subagent owns, from CLAUDE.md's subagent table."""
    found = {}
    for line in (project / "CLAUDE.md").read_text().splitlines():
        match = re.match(r"^\| `([a-z-]+)` \|.*\| (.*) \|$", line)
        if match and match.group(1) in ROLES:
            found[match.group(1)] = CODE_SPAN.findall(match.group(2))
    return found


@pytest.mark.parametrize("architecture", choices("architecture"))
def test_each_path_has_one_owner(project_for: Any, architecture: str) -> None:
    project = project_for({**defaults(), "architecture": architecture})
    owned = owners(project)
    assert set(owned) == set(ROLES)
    paths = [path for role in ROLES for path in owned[role]]
    assert len(paths) == len(set(paths)), f"a path with two owners: {owned}"
    assert "tests/" in owned["test-engineer"]
    models = [p for p in owned["database-engineer"] if "models" in p]
    assert models, "database-engineer owns no models"
    assert not [p for p in paths if "models" in p and p not in models]
    assert owned["code-reviewer"] == []
    for role in ROLES:
        agent = (project / ".claude/agents" / f"{role}.md").read_text()
        others = {p for other in ROLES if other != role for p in owned[other]}
        claimed = re.search(r"[Yy]ou own:? ([^\n]*(?:\n[^\n]+)*?)[.:]\n", agent)
        if claimed:
            assert not others & set(CODE_SPAN.findall(claimed.group(1))), role


@pytest.mark.parametrize("architecture", choices("architecture"))
def test_layer_table_leaves_out_forbidden_layers(
    project_for: Any,
    template_src: Path,
    architecture: str,
) -> None:
    answers = {**defaults(), "architecture": architecture}
    project = project_for(answers)
    layering = facts_data(template_src, answers)["layerings"][architecture]
    modules = {f"app.{layer['module']}": layer["name"] for layer in layering["layers"]}
    rows = {}
    for line in (project / "AGENTS.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[1].startswith("`app/"):
            rows[cells[0]] = [item.split()[0] for item in cells[3].split(", ")]
    checked = 0
    for rule in layering["forbidden"]:
        source = modules.get(rule["source"])
        banned = {modules[m] for m in rule["forbidden"] if m in modules}
        if source in rows:
            checked += 1
            assert not banned & set(rows[source]), f"{source} may import {banned}"
    assert checked or layering.get("domains")


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


def test_plans_naming_files_to_be_written_pass(project_for: Any, tmp_path: Path) -> None:
    project = copy_of(project_for(extra_combos()[0]), tmp_path)
    plan = "Add `tests/test_projects.py` and `app/projects/router.py`.\n"
    for name in ("specs/001-projects/spec.md", ".claude/handoff/feature-brief.md"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(plan)
    result = drift_check(project)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    agents = project / "AGENTS.md"
    agents.write_text(agents.read_text() + "\n" + plan)
    assert_fails_naming(project, "AGENTS.md", "`tests/test_projects.py`")


def test_make_check_differing_from_ci_fails(project_for: Any, tmp_path: Path) -> None:
    project = copy_of(project_for(defaults()), tmp_path)
    workflow = project / ".github/workflows/ci.yml"
    text = workflow.read_text()
    assert "      - run: uv run lint-imports\n" in text
    text = text.replace("      - run: uv run lint-imports\n", "")
    workflow.write_text(text + "      - run: uv run pytest --no-cov\n")
    assert_fails_naming(
        project,
        "`make check` runs `uv run lint-imports`, CI does not",
        "CI runs `uv run pytest --no-cov`, `make check` does not",
    )


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
