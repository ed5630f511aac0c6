"""The generated project's extension API stays put, or moves with a deprecation path.

`extensions/extension_api.jinja` lists the names user code builds on. Every listed
name must be defined where the list says, in every layering; a name listed in the
previous release must still be listed, or be in `deprecated_api` with an "Upgrading"
note, and keep working (with a DeprecationWarning) where it existed.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jinja2
import pytest

from tests import jinja_cache
from tests.conftest import Generate
from tests.matrix import TEMPLATE_ROOT, defaults, one_at_a_time

API_FILE = "extensions/extension_api.jinja"


def _render(source: str, answers: dict[str, Any], *, root: Path = TEMPLATE_ROOT) -> Any:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(root), bytecode_cache=jinja_cache.CACHE)
    context = {**defaults(), "package_name": "app", **answers}
    return json.loads(env.from_string(source).render(**context))


def api_for(answers: dict[str, Any]) -> dict[str, Any]:
    """The listed names, with each module resolved for the answers' layering."""
    return dict(
        _render(
            '{% from "' + API_FILE + '" import extension_api, extension_fixtures,'
            " deprecated_api %}"
            '{% from "extensions/facts.jinja" import modules with context %}'
            "{{ {'api': extension_api, 'fixtures': extension_fixtures,"
            " 'deprecated': deprecated_api, 'modules': modules} | tojson }}",
            answers,
        )
    )


def _module_path(project: Path, module: str) -> Path:
    base = project.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _defined_names(path: Path) -> set[str]:
    """Names a module defines or imports at its top level."""
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def _absolute(module: str, modules: dict[str, str]) -> str:
    return modules[module] if module in modules else "app" + module


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "answers" in metafunc.fixturenames:
        combos = one_at_a_time()
        ids = ["-".join(str(v) for v in combo.values()) for combo in combos]
        metafunc.parametrize("answers", combos, ids=ids)


def test_every_listed_name_is_defined_where_the_list_says(
    generate: Generate,
    answers: dict[str, Any],
) -> None:
    project = generate(**answers)
    api = api_for(answers)
    missing = []
    for entry in api["api"]:
        module = _absolute(entry["module"], api["modules"])
        defined = _defined_names(_module_path(project, module))
        missing += [f"{module}.{name}" for name in entry["names"] if name not in defined]
    conftest = ast.parse((project / "tests/conftest.py").read_text())
    fixtures = {
        node.name
        for node in conftest.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and any("fixture" in ast.unparse(d) for d in node.decorator_list)
    }
    missing += [f"fixture {name}" for name in api["fixtures"] if name not in fixtures]
    assert missing == []


def test_a_deprecated_name_still_works_with_a_warning(generate: Generate) -> None:
    for entry in api_for({})["deprecated"]:
        answers = entry["shapes"]
        project = generate(**answers)
        modules = api_for(answers)["modules"]
        module = _absolute(entry["module"], modules)
        code = (
            "import warnings\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    warnings.simplefilter('always')\n"
            f"    from {module} import {entry['name']}\n"
            "assert [w.category.__name__ for w in caught] == ['DeprecationWarning'], caught\n"
            f"from {_absolute(entry['use'], modules)} import {entry['name']} as new\n"
            f"assert {entry['name']} is new\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr


def _last_release() -> tuple[str, str]:
    lines = (TEMPLATE_ROOT / "RELEASES").read_text().splitlines()
    fields = [line.split("#", 1)[0].split() for line in lines]
    version, commit = [f for f in fields if f][-1]
    return version, commit


def _changelog_upgrading(version: str) -> str:
    changelog = (TEMPLATE_ROOT / "CHANGELOG.md").read_text()
    sections = dict(re.findall(r"^## (\S+)[^\n]*\n(.*?)(?=^## |\Z)", changelog, re.M | re.S))
    section = sections.get(version, "") + sections.get("Unreleased", "")
    return "".join(re.findall(r"### Upgrading\n(.*?)(?=^### |\Z)", section, re.M | re.S))


def test_names_of_the_last_release_are_still_listed_or_deprecated(tmp_path: Path) -> None:
    version, commit = _last_release()
    shown = subprocess.run(
        ["git", "show", f"{commit}:{API_FILE}"],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        pytest.skip(f"release {version} predates {API_FILE}; the list is compared from then on")
    old_root = tmp_path / "old"
    (old_root / "extensions").mkdir(parents=True)
    (old_root / API_FILE).write_text(shown.stdout)
    source = '{% from "' + API_FILE + '" import extension_api %}{{ extension_api | tojson }}'
    old = _render(source, {}, root=old_root)
    current = api_for({})
    listed = {(e["module"], n) for e in current["api"] for n in e["names"]}
    deprecated = {(e["module"], e["name"]): e for e in current["deprecated"]}
    upgrading = _changelog_upgrading(version)
    gone = []
    for entry in old:
        for name in entry["names"]:
            key = (entry["module"], name)
            if key in listed:
                continue
            if key not in deprecated:
                gone.append(f"{key}: neither listed nor in deprecated_api")
            elif name not in upgrading:
                gone.append(f"{key}: no Upgrading note names it")
    assert gone == []
