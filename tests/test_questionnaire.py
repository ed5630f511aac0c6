"""The questionnaire: safe to run, refuses bad answers, writes what was asked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import generate_project
from tests.matrix import TEMPLATE_ROOT, choices, questions

UNSAFE_KEYS = ("_tasks", "_jinja_extensions", "_migrations")


def test_template_uses_no_feature_that_needs_trust() -> None:
    config = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())
    assert not [key for key in UNSAFE_KEYS if key in config]
    # External data is safe only inside the project: no absolute or parent paths.
    for path in config.get("_external_data", {}).values():
        assert not path.startswith("/")
        assert ".." not in path


def test_every_question_has_type_help_and_default() -> None:
    for name, spec in questions().items():
        assert {"type", "help", "default"} <= set(spec), name


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_name": ""}, "must not be empty"),
        ({"project_name": "   "}, "must not be empty"),
        ({"project_name": "!!! ???"}, "at least one letter or digit"),
        ({"project_slug": "My Service"}, "lowercase letters, digits and single hyphens"),
        ({"package_name": "class"}, "is a Python keyword"),
        ({"package_name": "1app"}, "lowercase Python identifier"),
        ({"package_name": "my-app"}, "lowercase Python identifier"),
        ({"package_name": "fastapi"}, "would shadow a module"),
        ({"package_name": "tests"}, "would shadow a module"),
        ({"author_email": "not-an-address"}, "e-mail address"),
        ({"line_length": 90}, "line_length"),
        ({"python_version": "3.10"}, "python_version"),
        ({"stack": "django"}, "stack"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_bad_answers_are_refused_and_nothing_is_written(
    template_src: Path,
    tmp_path: Path,
    answers: dict[str, Any],
    message: str,
) -> None:
    dest = tmp_path / "refused"
    with pytest.raises(ValueError, match=message):
        generate_project(template_src, dest, **answers)
    assert not dest.exists() or not any(dest.iterdir())


def test_slug_is_derived_from_the_name(template_src: Path, tmp_path: Path) -> None:
    project = generate_project(template_src, tmp_path / "p", project_name="Billing API v2!")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == "billing-api-v2"
    assert 'name = "billing-api-v2"' in (project / "pyproject.toml").read_text()


def test_a_custom_package_name_is_used_everywhere(
    template_src: Path,
    tmp_path: Path,
) -> None:
    project = generate_project(template_src, tmp_path / "p", package_name="billing")
    assert (project / "billing" / "main.py").is_file()
    assert not (project / "app").exists()
    pyproject = (project / "pyproject.toml").read_text()
    assert 'entrypoint = "billing.main:app"' in pyproject
    assert 'root_package = "billing"' in pyproject
    stale = [
        str(path.relative_to(project))
        for path in project.rglob("*.py")
        if "from app." in path.read_text() or "import app\n" in path.read_text()
    ]
    assert stale == []


def test_answers_file_records_the_answers_and_no_secret(
    template_src: Path,
    tmp_path: Path,
) -> None:
    project = generate_project(
        template_src,
        tmp_path / "p",
        project_name="Ledger",
        line_length=100,
        python_version="3.12",
    )
    text = (project / ".copier-answers.yml").read_text()
    answers = yaml.safe_load(text)
    assert answers["project_name"] == "Ledger"
    assert answers["line_length"] == 100
    assert answers["python_version"] == "3.12"
    assert "_src_path" in answers
    assert "secret" not in text.lower()


def test_line_length_and_python_version_drive_the_tools(
    template_src: Path,
    tmp_path: Path,
) -> None:
    project = generate_project(
        template_src,
        tmp_path / "p",
        line_length=100,
        python_version="3.13",
    )
    pyproject = (project / "pyproject.toml").read_text()
    assert "line-length = 100" in pyproject
    assert 'target-version = "py313"' in pyproject
    assert 'python_version = "3.13"' in pyproject
    assert 'requires-python = ">=3.13"' in pyproject
    assert "FROM python:3.13-slim" in (project / "Dockerfile").read_text()


def _copier_cli(*args: str) -> subprocess.CompletedProcess[str]:
    copier = Path(sys.executable).parent / "copier"
    return subprocess.run([str(copier), *args], capture_output=True, text=True, check=False)


@pytest.mark.slow
def test_a_multi_value_answer_takes_a_yaml_list_on_the_command_line(
    template_src: Path,
    tmp_path: Path,
) -> None:
    """The syntax README.md documents for `ai_tools`, through Copier's own CLI."""
    dest = tmp_path / "listed"
    result = _copier_cli(
        "copy", "--defaults", "--data", "ai_tools=[cursor, gemini]", str(template_src), str(dest)
    )
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load((dest / ".copier-answers.yml").read_text())["ai_tools"] == [
        "cursor",
        "gemini",
    ]
    assert (dest / ".cursor/rules/agents.mdc").is_file()
    assert (dest / ".gemini/settings.json").is_file()
    assert not (dest / ".github/copilot-instructions.md").exists()
    assert "ai_tools=[cursor, gemini]" in (TEMPLATE_ROOT / "README.md").read_text()


def _interpreter_dirs() -> dict[str, Path]:
    """Minor version -> a directory holding a real `pythonX.Y` (not a pyenv shim)."""
    found = {}
    for version in choices("python_version"):
        result = subprocess.run(
            [str(TEMPLATE_ROOT / "scripts" / "ensure-python"), "--find-only", version],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0:
            found[version] = Path(result.stdout.strip()).parent
    return found


def test_the_project_pins_its_python_version_for_uv(template_src: Path, tmp_path: Path) -> None:
    """`uv` picks the answered version even when another one comes first on PATH."""
    dirs = _interpreter_dirs()
    if len(dirs) < 2:
        pytest.skip(f"needs two installed Python versions to tell them apart; found {dirs}")
    pinned, other = sorted(dirs)[0], sorted(dirs)[-1]
    project = generate_project(template_src, tmp_path / "p", python_version=pinned)
    assert (project / ".python-version").read_text() == f"{pinned}\n"
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(dirs[other]), str(dirs[pinned]), os.environ["PATH"]]),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    env.pop("UV_PYTHON", None)
    found = subprocess.run(
        ["uv", "python", "find"], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    assert found.returncode == 0, found.stderr
    version = subprocess.run(
        [found.stdout.strip(), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version == pinned
