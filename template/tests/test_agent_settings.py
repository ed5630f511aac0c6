"""Claude Code's project settings: permissions that keep secrets unread, and hooks.

.claude/settings.json lets Claude Code run the project's commands without asking (every
`make` target and `uv run` command the agent docs send it to, servers aside) and
denies reading `.env`. A rule that admits an interpreter, a shell or a file printer
would read `.env` past that deny, so no allow rule may. Its PostToolUse hook formats
each Python file an edit changes with the project's ruff, at the project's line length.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / ".claude" / "settings.json"
# The docs an agent follows; the commands they name must run without asking.
AGENT_DOCS = (
    "AGENTS.md",
    "CLAUDE.md",
    ".claude/agents/*.md",
    ".claude/skills/*/SKILL.md",
)
# Commands that serve until stopped: a person starts them, so no rule allows them.
SERVERS = ("make dev", "make worker", "uv run fastapi dev", "uv run celery")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^```(?:bash|sh|shell|console)\n(.*?)^```", re.M | re.S)
EDIT_TOOLS = ("Edit", "MultiEdit", "Write")
# Commands that run any code or print any file: a rule admitting one reads `.env`.
READS_ANY_FILE = {
    "awk",
    "bash",
    "cat",
    "cp",
    "dash",
    "dd",
    "env",
    "eval",
    "exec",
    "fish",
    "grep",
    "head",
    "less",
    "more",
    "node",
    "perl",
    "python",
    "python3",
    "ruby",
    "sed",
    "sh",
    "source",
    "tail",
    "tee",
    "xargs",
    "zsh",
}


def pyproject() -> dict[str, Any]:
    """Return the parsed pyproject.toml."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def package_name() -> str:
    """Return the application package (import-linter's root package)."""
    return str(pyproject()["tool"]["importlinter"]["root_package"])


def settings() -> dict[str, Any]:
    """Return the parsed .claude/settings.json."""
    data = json.loads(SETTINGS.read_text())
    assert isinstance(data, dict), ".claude/settings.json is not an object"
    return data


def rule_problem(rule: str, package: str) -> str | None:
    """Return why an allow rule is unsafe or outdated, or None."""
    if rule in {"Bash", "Bash(*)"}:
        return "allows every command"
    match = re.fullmatch(r"Bash\((.*)\)", rule)
    if match is None:
        return None
    command = match.group(1)
    if command.endswith(":*"):
        problem = rule_problem(f"Bash({command.removesuffix(':*')} *)", package)
        deprecated = "uses the deprecated `:*` form; write `<command> *`"
        return f"{deprecated}; {problem}" if problem else deprecated
    prefix = command.removesuffix(" *")
    if not prefix or "*" in prefix:
        return "has a wildcard before its end"
    if ".env" in command:
        return "names `.env`"
    words = prefix.split()
    if words[:2] == ["uv", "run"]:
        words = words[2:]
        if not words or words[0].startswith("-"):
            return "passes options to `uv run`, or runs nothing"
    head = words[0]
    if head == "make" and command.endswith("*"):
        return "passes arguments to `make`, which may name another makefile or shell"
    if head in {"python", "python3"}:
        module = words[2] if len(words) > 2 and words[1] == "-m" else ""
        if module.split(".")[0] != package:
            return "admits the interpreter beyond the project's own modules"
    elif head in READS_ANY_FILE:
        return f"admits `{head}`, which runs any code or prints any file"
    if words[:2] == ["git", "diff"] and command.endswith("*"):
        return "admits `git diff <file> <path outside the repo>`, which prints any file"
    return None


def is_allowed(command: str, rules: list[str]) -> bool:
    """Whether a rule admits `command`: `Bash(<prefix> *)` or `Bash(<exact>)`."""
    for rule in rules:
        match = re.fullmatch(r"Bash\((.*)\)", rule)
        if match is None:
            continue
        pattern = match.group(1)
        if pattern.endswith(" *"):
            prefix = pattern.removesuffix(" *")
            if command == prefix or command.startswith(prefix + " "):
                return True
        elif command == pattern:
            return True
    return False


def documented_commands() -> dict[str, set[str]]:
    """The `make` and `uv run` commands each agent doc names, by doc."""
    found: dict[str, set[str]] = {}
    for pattern in AGENT_DOCS:
        for path in sorted(ROOT.glob(pattern)):
            text = path.read_text()
            lines = CODE_SPAN.findall(text)
            for block in FENCE.findall(text):
                lines += [re.sub(r"\s+#.*$", "", line) for line in block.splitlines()]
            wanted = ("make ", "uv run ")
            commands = {s.strip() for s in lines if s.strip().startswith(wanted)}
            found[path.relative_to(ROOT).as_posix()] = commands
    return found


def hook_commands(event: str, tool: str) -> list[str]:
    """Return the commands settings.json runs on `event` for `tool`, in order."""
    commands: list[str] = []
    for entry in settings().get("hooks", {}).get(event, []):
        if re.fullmatch(entry.get("matcher") or ".*", tool):
            hooks = entry["hooks"]
            commands.extend(h["command"] for h in hooks if h["type"] == "command")
    return commands


def run_hook(command: str, payload: str) -> subprocess.CompletedProcess[str]:
    """Run a hook command as Claude Code does: from the project, JSON on stdin."""
    sh = shutil.which("sh")
    if sh is None or shutil.which("uv") is None:
        pytest.skip("the hook needs sh and uv")
    # The hook's `uv run` uses the environment these tests run in.
    env = {
        **os.environ,
        "CLAUDE_PROJECT_DIR": str(ROOT),
        "UV_PROJECT_ENVIRONMENT": sys.prefix,
    }
    return subprocess.run(  # noqa: S603 - runs the project's own hook command
        [sh, "-c", command],
        input=payload,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_allow_rules_keep_secrets_unread() -> None:
    permissions = settings().get("permissions", {})
    package = package_name()
    problems = [
        f"{rule}: {problem}"
        for rule in permissions.get("allow", [])
        if (problem := rule_problem(rule, package))
    ]
    if "Read(./.env)" not in permissions.get("deny", []):
        problems.append("permissions.deny does not deny Read(./.env)")
    assert not problems, ".claude/settings.json:\n" + "\n".join(problems)


def test_the_commands_the_docs_name_are_allowed() -> None:
    rules = settings().get("permissions", {}).get("allow", [])
    problems = [
        f"{doc}: `{command}`"
        for doc, commands in documented_commands().items()
        for command in sorted(commands)
        if not command.startswith(SERVERS) and not is_allowed(command, rules)
    ]
    assert documented_commands().get("AGENTS.md"), "AGENTS.md names no command"
    message = "commands the docs name that .claude/settings.json does not allow"
    assert not problems, f"{message}:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("Bash(make check *)", "arguments to `make`"),
        ("Bash(uv run pytest:*)", "deprecated `:*`"),
        ("Bash(uv run python:*)", "the interpreter"),
        ("Bash(uv run python *)", "the interpreter"),
        ("Bash(uv run python -c *)", "the interpreter"),
        ("Bash(uv run python -m pdb *)", "the interpreter"),
        ("Bash(cat *)", "`cat`"),
        ("Bash(uv run bash *)", "`bash`"),
        ("Bash(git diff *)", "prints any file"),
        ("Bash(uv run ruff check ./.env)", "names `.env`"),
        ("Bash(uv run * .)", "wildcard before its end"),
    ],
)
def test_unsafe_allow_rules_are_refused(rule: str, expected: str) -> None:
    problem = rule_problem(rule, "app")
    assert problem is not None, f"{rule} passed the check"
    assert expected in problem


def test_project_commands_are_allowed() -> None:
    rules = [
        "Bash(uv run pytest *)",
        "Bash(uv run python -m app.cli *)",
        "Bash(git diff)",
        "Bash(make check)",
    ]
    assert [rule_problem(rule, "app") for rule in rules] == [None, None, None, None]
    assert is_allowed("make check", rules)
    assert not is_allowed("make check SHELL=sh", rules)
    assert is_allowed("uv run python -m app.cli new-resource notes", rules)
    assert not is_allowed("uv run python -m app.clinic", rules)


@pytest.mark.parametrize("tool", EDIT_TOOLS)
def test_edits_run_the_format_hook(tool: str) -> None:
    commands = hook_commands("PostToolUse", tool)
    assert commands, f"no PostToolUse hook runs after {tool}"


def test_format_hook_formats_at_the_projects_line_length(tmp_path: Path) -> None:
    line_length = int(pyproject()["tool"]["ruff"]["line-length"])
    a, b = "a" * 39, "b" * 39
    joined = f'items = ["{a}", "{b}"]'
    assert 88 < len(joined) < 100
    path = tmp_path / "module.py"
    path.write_text(f"items=[ '{a}' ,\n   '{b}' ]\n")
    payload = json.dumps({"tool_name": "Write", "tool_input": {"file_path": str(path)}})
    for command in hook_commands("PostToolUse", "Write"):
        assert run_hook(command, payload).returncode == 0
    if len(joined) <= line_length:
        expected = joined + "\n"
    else:
        expected = f'items = [\n    "{a}",\n    "{b}",\n]\n'
    assert path.read_text() == expected


def test_format_hook_leaves_other_files_and_never_fails(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("items=[ 'a' ]\n")
    payloads = [
        json.dumps({"tool_name": "Edit", "tool_input": {"file_path": str(path)}}),
        json.dumps({"tool_name": "Edit", "tool_input": {}}),
        "not json",
    ]
    for command in hook_commands("PostToolUse", "Edit"):
        codes = [run_hook(command, payload).returncode for payload in payloads]
        assert codes == [0, 0, 0]
    assert path.read_text() == "items=[ 'a' ]\n"
