"""Fixtures shared by the template's tests: a clean template copy and a generator."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import copier
import jinja2
import pytest

from tests import jinja_cache
from tests.matrix import TEMPLATE_ROOT, defaults

jinja_cache.install()

# Every tool a test starts (a generated project's servers, CLI runs, test suites) may
# write bytecode: with PYTHONDONTWRITEBYTECODE set, as some shells and CI images set it,
# each new Python process compiles its imports from source again, about 3 s of CPU per
# process that imports a generated app, and the deep tier starts hundreds of them.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

Generate = Callable[..., Path]

# The template's own environment has every tool a generated project uses.
VENV_BIN = Path(sys.executable).parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--all-combinations",
        action="store_true",
        help="static tier over every answer combination (default: one value at a time)",
    )
    parser.addoption(
        "--deep",
        action="store_true",
        help="deep tier: mypy, each generated project's own test suite, and the slow tests",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deep = config.getoption("--deep")
    every = config.getoption("--all-combinations")
    skip_deep = pytest.mark.skip(reason="deep tier: run with --deep (.ci/run does)")
    skip_every = pytest.mark.skip(reason="static tier over every combination: --all-combinations")
    for item in items:
        if not deep and ("deep" in item.keywords or "slow" in item.keywords):
            item.add_marker(skip_deep)
        if not every and "all_combinations" in item.keywords:
            item.add_marker(skip_every)
    if deep:
        items[:] = longest_first(items)


def _cost(item: pytest.Item) -> int:
    """A rank of how long a test takes: a deep project, an update, other slow tests."""
    if "deep" in item.keywords:
        return 3 if item.path.name == "test_deep.py" else 2
    return 1 if "slow" in item.keywords else 0


def longest_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """The long tests at the head of both halves, the short ones after them.

    xdist's worksteal scheduler gives each of two workers one half of the list and
    lets an idle one take from the end of the other's queue: each worker starts on
    its long tests and ends on short ones, so neither waits out the other's last
    project (seven minutes of one idle worker at the end of a run before this).
    """
    long = sorted((item for item in items if _cost(item)), key=_cost, reverse=True)
    short = [item for item in items if not _cost(item)]
    first = long[0::2]
    split = max(len(items) // 2 - len(first), 0)
    return first + short[:split] + long[1::2] + short[split:]


def pytest_report_header(config: pytest.Config) -> list[str]:
    services = [
        f"{name}={'set' if os.environ.get(name) else 'unset (SQLite / in-memory only)'}"
        for name in ("TEST_DATABASE_URL", "REDIS_URL")
    ]
    tiers = [
        "static: "
        + (
            "every combination"
            if config.getoption("--all-combinations")
            else "one value at a time (--all-combinations for all)"
        ),
        "deep: " + ("on" if config.getoption("--deep") else "off (--deep to run)"),
    ]
    return [", ".join(services), ", ".join(tiers)]


def _tracked_files(root: Path) -> list[Path]:
    """Files git tracks or would track (the working tree, not only commits)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return [
            p.relative_to(root)
            for p in root.rglob("*")
            if p.is_file() and ".venv" not in p.parts and ".git" not in p.parts
        ]
    return [Path(name) for name in out.decode().split("\0") if name]


@pytest.fixture(scope="session")
def template_src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the template's working tree without .git.

    Copier then renders exactly what is on disk, committed or not, with no VCS
    lookups; the update tests build their own git history from it.
    """
    dest = tmp_path_factory.mktemp("template") / "backend-agent-kit"
    for relative in _tracked_files(TEMPLATE_ROOT):
        source = TEMPLATE_ROOT / relative
        if source.is_file():
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


def generate_project(src: Path, dest: Path, **answers: Any) -> Path:
    """Render the template into `dest` with stock Copier (no --trust).

    Most tests generate through pytest-copie (`generate`, `copie`). This stays on
    Copier's own API where pytest-copie cannot express the case: it renders with
    `unsafe=True` (so it cannot prove that a plain copy needs no --trust) and passes
    answers as defaults, which Copier does not validate (so it cannot prove that a bad
    answer is refused).
    """
    copier.run_copy(
        str(src),
        dest,
        data=answers,
        defaults=True,
        unsafe=False,
        quiet=True,
        overwrite=True,
    )
    return dest


def copie_render(copie: Any, template_src: Path, **answers: Any) -> Path:
    """Render the template through pytest-copie; raise what Copier raised."""
    result = copie.copy(extra_answers=answers, template_dir=template_src)
    if result.exception is not None or result.project_dir is None:
        raise RuntimeError(f"copie could not render {answers}") from result.exception
    project: Path = result.project_dir
    return project


@pytest.fixture(scope="session")
def generate(
    template_src: Path,
    copie_session: Any,
    tmp_path_factory: pytest.TempPathFactory,
    worker_id: str,
) -> Generate:
    """Render a project for some answers (pytest-copie), once per run per answer set.

    Parallel workers share the renders: the first to ask renders under a file lock,
    the others reuse its tree. Tests must not change a shared project (copy it first).
    """
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's base sits in one directory per run; alone, it is the run's.
    shared = base.parent / "renders" if worker_id != "master" else base / "renders"
    shared.mkdir(exist_ok=True)
    cache: dict[str, Path] = {}

    def render(**answers: Any) -> Path:
        key = json.dumps(answers, sort_keys=True)
        if key not in cache:
            target = shared / hashlib.sha256(key.encode()).hexdigest()[:16]
            with (shared / f"{target.name}.lock").open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not target.exists():
                    # Moved in whole, so a tree that exists is complete.
                    copie_render(copie_session, template_src, **answers).rename(target)
            cache[key] = target
        return cache[key]

    return render


def python_for(version: str) -> str:
    """A CPython `version` interpreter: installed, or built once by scripts/ensure-python.

    The script finds one on PATH or under pyenv, else builds it from Debian's source
    package into a cache (minutes the first time, instant after).
    """
    result = subprocess.run(
        [str(TEMPLATE_ROOT / "scripts" / "ensure-python"), version],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"no Python {version}: {result.stderr[-3000:]}"
    return result.stdout.strip().splitlines()[-1]


def run(
    command: list[str],
    cwd: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run a tool from the template's environment in a generated project."""
    full_env = {**os.environ, **(env or {})}
    full_env["PATH"] = f"{VENV_BIN}{os.pathsep}{full_env.get('PATH', '')}"
    full_env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        command,
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_ok(result: subprocess.CompletedProcess[str]) -> None:
    """Fail with the command's output when it did not exit 0."""
    # A generated suite's failure report ends with its coverage table and summary:
    # enough of the end to keep the failure itself above them.
    assert result.returncode == 0, (
        f"{' '.join(map(str, result.args))} exited {result.returncode}\n"
        f"--- stdout ---\n{result.stdout[-24000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
    )


# User code for generated projects (tests/user_code/<version>/) is not the template's own.
collect_ignore_glob = ["user_code/0.*"]


def template_facts(template_src: Path, answers: dict[str, Any], names: dict[str, str]) -> Any:
    """Values of the template's facts for `answers`, as JSON data.

    `names` maps each wanted name to the `extensions/` file it is imported from, e.g.
    `{"recipe": "recipe", "modules": "facts"}`.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_src), bytecode_cache=jinja_cache.CACHE
    )
    imports = "".join(
        f'{{% from "extensions/{source}.jinja" import {name} with context %}}'
        for name, source in names.items()
    )
    values = ", ".join(f"'{name}': {name}" for name in names)
    context = {**defaults(), "package_name": "app", **answers}
    return json.loads(
        env.from_string(f"{imports}{{{{ {{{values}}} | tojson }}}}").render(**context)
    )
