"""AGENTS.md's "Adding a resource", as steps a test can follow (tests/test_deep.py does).

The steps come from extensions/recipe.jinja, which AGENTS.md renders them from. The deep
test checks that the project's AGENTS.md states each step, then follows them: it writes a
`notes` resource from tests/recipe/ (one set of fixture files, with the module paths of
the project's layering filled in) at the paths the recipe names, adds the registry lines,
runs the migration steps and the finishing commands. A wrong, missing or misordered step
fails there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.conftest import run, template_facts

FIXTURES = Path(__file__).resolve().parent / "recipe"
NAMES = {"<entity>": "note", "<Entity>": "Note", "<plural>": "notes"}


def recipe_for(template_src: Path, answers: dict[str, Any]) -> dict[str, Any]:
    """The recipe and the layering's module names, rendered from the template's facts."""
    names = {"recipe": "recipe", "modules": "facts", "layering": "facts", "stack_facts": "facts"}
    facts = dict(template_facts(template_src, answers, names))
    return {**facts, "session_module": facts["stack_facts"]["session_module"]}


def named(text: str, number: str = "") -> str:
    """`text` with the placeholders filled in for the `notes` resource."""
    for placeholder, value in {**NAMES, "<NNNN>": number}.items():
        text = text.replace(placeholder, value)
    return text


def dotted(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def fixture_for(path: str, facts: dict[str, Any], stack: str) -> str:
    """The fixture file that holds the code of the recipe file at `path`."""
    name = path.rsplit("/", 1)[-1]
    layering = facts["layering"]
    if path.startswith("tests/"):
        return "test"
    if name == "__init__.py":
        return "package"
    for part, fixture in (
        ("models", f"models_{stack}"),
        ("schemas", "schemas"),
        ("exceptions", "exceptions"),
        ("crud", "crud"),
        ("controllers", "controller"),
    ):
        if part in path:
            return fixture
    if "service" in path:
        return "service_on_crud" if layering["crud"] else "service"
    if "rout" in path:
        return "router_controllers" if layering["controllers"] else "router"
    raise AssertionError(f"no fixture for the recipe's {path}")


def tokens(files: list[str], facts: dict[str, Any]) -> dict[str, str]:
    """What the fixtures' @name@ tokens stand for in this layering."""
    values = {key: module for key, module in facts["modules"].items()}
    values["pkg"] = "app"
    values["session_module"] = facts["session_module"]
    for path in files:
        module = dotted(path)
        for part, key in (
            ("models", "models_note"),
            ("schemas", "schemas_note"),
            ("service", "services_note"),
            ("controllers", "controllers_note"),
        ):
            if part in path and key not in values:
                values[key] = module
    values["services_parent"] = values["services_note"].rsplit(".", 1)[0]
    handler = values.get("controllers_note", values["services_note"])
    parent, leaf = handler.rsplit(".", 1)
    alias = "" if leaf == "notes" else " as notes"
    values["handler_import"] = f"from {parent} import {leaf}{alias}"
    return values


def fill(fixture: str, values: dict[str, str]) -> str:
    text = (FIXTURES / f"{fixture}.py.tmpl").read_text()
    text = re.sub(r"@(\w+)@", lambda match: values[match.group(1)], text)
    assert "@" not in text.replace("@router.", ""), f"{fixture}: a token is left"
    return text


def add_import(path: Path, line: str) -> None:
    """Put `line` after the file's last top-level import (ruff then orders it), or at
    the end of a file with none yet (a registry of the project's own starts so)."""
    lines = path.read_text().splitlines()
    imports = [i for i, text in enumerate(lines) if text.startswith(("from ", "import "))]
    if not imports:
        path.write_text("\n".join([*lines, line]) + "\n")
        return
    last = max(imports)
    if lines[last].endswith("("):
        last = lines.index(")", last)
    lines.insert(last + 1, line)
    path.write_text("\n".join(lines) + "\n")


def next_number(directory: Path) -> str:
    numbers = [int(p.name[:4]) for p in directory.glob("*.py") if p.name[:4].isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"


def shell(command: str, project: Path, env: dict[str, str]) -> None:
    result = run(["bash", "-c", command], project, env=env, timeout=1200)
    assert result.returncode == 0, f"{command}\n{result.stdout[-6000:]}\n{result.stderr[-4000:]}"


def stated_steps(recipe: dict[str, Any]) -> list[str]:
    """Every file, registry line and command of the recipe, as AGENTS.md must state it."""
    return [
        *recipe["files"],
        *(entry.get("import") or entry["append"] for entry in recipe["register"]),
        *(step["run"] for step in recipe["migration"] if "run" in step),
        *recipe["finish"],
    ]


def write_files(project: Path, facts: dict[str, Any], stack: str) -> list[str]:
    """Step 1: the resource's files, in the recipe's order; returns their paths."""
    files = [named(path) for path in facts["recipe"]["files"]]
    values = tokens(files, facts)
    for path in files:
        target = project / path
        assert not target.exists(), f"the recipe's {path} is already there"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(fill(fixture_for(path, facts, stack), values))
    return files


def register(project: Path, recipe: dict[str, Any]) -> None:
    """Step 2: the registry lines."""
    for entry in recipe["register"]:
        registry = project / entry["path"]
        if "import" in entry:
            add_import(registry, named(entry["import"]))
        else:
            registry.write_text(registry.read_text() + named(entry["append"]) + "\n")


def migrate(project: Path, recipe: dict[str, Any], env: dict[str, str]) -> None:
    """Step 3: the migration, in the chosen tool's way."""
    number = ""
    for step in recipe["migration"]:
        if "run" in step:
            if "<NNNN>" in step["run"]:
                number = next_number(project / "migrations" / "versions")
            shell(named(step["run"], number), project, env)
            continue
        written = [project / named(path, number) for path in step["write"].split()]
        if not number:  # the command before named the files: find what it wrote
            found = sorted((project / "migrations").glob("*/*_add_notes.sql"))
            assert found, "the new-migration command wrote no files"
            number = found[0].name[:4]
            written = [project / named(path, number) for path in step["write"].split()]
        for path in written:
            assert path.is_file(), f"the recipe's {path.relative_to(project)} was not written"
            if path.suffix == ".sql":  # yoyo: the SQL is written by hand
                kind = path.parent.name
                rollback = ".rollback" if path.name.endswith(".rollback.sql") else ""
                sql = (FIXTURES / "sql" / f"{kind}{rollback}.sql").read_text()
                path.write_text(path.read_text() + sql)
            else:  # alembic: the revision autogenerate wrote creates the table
                assert '"notes"' in path.read_text(), path.read_text()
