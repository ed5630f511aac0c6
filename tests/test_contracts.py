"""The import-linter contracts cover code the template did not write.

For each architecture, a new feature is added to a copy of the rendered project
(defaults otherwise): importing only what its layer may, it passes `lint-imports`;
with an import its layer may not make, `lint-imports` fails and names that import.
The contracts are not edited for the new modules.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Generate, run
from tests.matrix import choices, defaults

# Per architecture, a new feature: each new module (dotted, relative to the package)
# and the modules it imports. An existing module (a registry) gets the imports added.
NEW_FEATURE: dict[str, dict[str, list[str]]] = {
    "routers-services": {
        "models.project": ["core.database"],
        "schemas.project": ["schemas.common"],
        "services.projects": ["models.project", "models.user", "schemas.project", "services.users"],
        "routers.projects": ["services.projects", "schemas.project", "dependencies.auth"],
    },
    "routes-services-crud": {
        "models.project": ["core.database"],
        "schemas.project": ["schemas.common"],
        "crud.projects": ["models.project", "models.user", "crud.pagination"],
        "services.projects": ["crud.projects", "crud.users", "schemas.project", "core.errors"],
        "api.routes.projects": ["services.projects", "schemas.project", "api.deps.auth"],
    },
    "routes-controllers-services": {
        "models.project": ["core.database"],
        "schemas.project": ["schemas.common"],
        "services.projects": ["models.project", "models.user", "schemas.project", "services.users"],
        "controllers.projects": ["services.projects", "schemas.project"],
        "api.routes.projects": ["controllers.projects", "schemas.project", "api.deps.auth"],
    },
    # A new domain: its own private modules, other domains' public ones, core; the
    # registries and the app compose it.
    "feature-modules": {
        "projects.models": ["core.database", "users.schemas"],
        "projects.schemas": ["core.schemas"],
        "projects.exceptions": ["core.errors"],
        "projects.service": [
            "projects.models",
            "projects.schemas",
            "projects.exceptions",
            "users.service",
            "users.schemas",
        ],
        "projects.router": ["projects.service", "projects.schemas", "auth.dependencies"],
        "api": ["projects.router"],
        "models": ["projects.models"],
    },
}

# Per architecture, imports (importer, imported) that a contract forbids, added on top
# of the new feature above.
FORBIDDEN: dict[str, list[tuple[str, str]]] = {
    "routers-services": [
        ("routers.projects", "models.user"),  # routers stay thin
        ("services.projects", "routers.users"),  # a lower layer imports a higher one
        ("services.projects", "dependencies.auth"),
    ],
    "routes-services-crud": [
        ("api.routes.projects", "crud.users"),  # routes never call crud
        ("api.routes.projects", "models.project"),
        ("crud.projects", "core.security"),  # crud holds no business logic
        ("services.projects", "api.routes.users"),
    ],
    "routes-controllers-services": [
        ("api.routes.projects", "services.projects"),  # routes only call controllers
        ("controllers.projects", "core.database"),
        ("services.projects", "controllers.users"),
    ],
    "feature-modules": [
        # another domain's private modules, from the new domain and into it
        ("projects.service", "users.models"),
        ("projects.service", "items.exceptions"),
        ("projects.router", "auth.rate_limit"),
        ("users.service", "projects.models"),
        ("items.router", "projects.router"),
        # core imports no domain, a new one included
        ("core.pagination", "projects.service"),
        # the rules for every service and router
        ("projects.service", "projects.router"),
        ("projects.router", "projects.models"),
    ],
}


def test_every_architecture_has_a_new_feature() -> None:
    assert sorted(NEW_FEATURE) == sorted(choices("architecture")) == sorted(FORBIDDEN)


def _project(generate: Generate, architecture: str, tmp_path: Path) -> tuple[Path, str]:
    """A copy of the render for `architecture` (the shared render stays untouched)."""
    answers: dict[str, Any] = {**defaults(), "architecture": architecture}
    project = shutil.copytree(
        generate(**answers),
        tmp_path / "project",
        ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", ".*_cache"),
    )
    config = tomllib.loads((project / "pyproject.toml").read_text())
    package: str = config["tool"]["importlinter"]["root_package"]
    return project, package


def _add_imports(project: Path, package: str, module: str, imported: list[str]) -> None:
    """Create `module` (and its packages) or extend it with `import` lines."""
    path = project / package / Path(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.relative_to(project / package).parents:
        init = project / package / parent / "__init__.py"
        if not init.exists():
            init.write_text('"""A package of the new feature."""\n')
    text = path.read_text() if path.exists() else '"""A module of the new feature."""\n'
    path.write_text(text + "".join(f"import {package}.{name}\n" for name in imported))


def _add_feature(project: Path, package: str, architecture: str) -> None:
    for module, imported in NEW_FEATURE[architecture].items():
        _add_imports(project, package, module, imported)


@pytest.mark.parametrize("architecture", sorted(NEW_FEATURE))
def test_a_new_feature_importing_what_its_layers_may_passes_lint_imports(
    generate: Generate,
    architecture: str,
    tmp_path: Path,
) -> None:
    project, package = _project(generate, architecture, tmp_path)
    _add_feature(project, package, architecture)
    result = run(["lint-imports", "--no-cache"], project)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


@pytest.mark.parametrize("architecture", sorted(FORBIDDEN))
def test_a_new_feature_breaking_a_rule_fails_lint_imports_naming_each_import(
    generate: Generate,
    architecture: str,
    tmp_path: Path,
) -> None:
    """Every forbidden import at once, on top of the feature: each one is reported.

    One run per architecture (each lint-imports run costs a second or two); import-linter
    reports every illegal import of a contract, so none can hide another.
    """
    project, package = _project(generate, architecture, tmp_path)
    _add_feature(project, package, architecture)
    for importer, imported in FORBIDDEN[architecture]:
        _add_imports(project, package, importer, [imported])
    result = run(["lint-imports", "--no-cache"], project)
    assert result.returncode != 0, result.stdout[-6000:]
    missing = [
        f"{importer} -> {imported}"
        for importer, imported in FORBIDDEN[architecture]
        if f"{package}.{importer} -> {package}.{imported} " not in result.stdout
    ]
    assert missing == [], result.stdout[-6000:]
