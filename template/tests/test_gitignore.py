"""What the checks and the tests write stays out of git.

`make check` leaves caches, coverage data, example databases and SQLite files in the
tree; `.gitignore` must cover each, or `git add -A` commits them.
"""

import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Paths the tools write, a directory with a trailing slash: uv, Python, pytest,
# coverage (its parallel data files too), mypy, ruff, import-linter, Hypothesis and
# Schemathesis (tests/test_fuzz.py), and the SQLite databases of `.env.example`.
WRITTEN = (
    ".venv/",
    "__pycache__/",
    "module.pyc",
    ".pytest_cache/",
    ".coverage",
    ".coverage.host.1234.567890",
    "coverage.xml",
    "htmlcov/",
    ".mypy_cache/",
    ".ruff_cache/",
    ".import_linter_cache/",
    ".hypothesis/",
    ".schemathesis/",
    "app.db",
    "app.db-journal",
    ".env",
)


def patterns() -> list[str]:
    """The ignore patterns of `.gitignore` (no negations: the file has none)."""
    lines = (ROOT / ".gitignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and line[0] not in "#!"]


def is_ignored(path: str, rules: list[str]) -> bool:
    """Whether a rule matches `path` as git would at the root of the tree."""
    is_dir = path.endswith("/")
    name = path.rstrip("/")
    for rule in rules:
        if rule.endswith("/") and not is_dir:
            continue
        if fnmatch.fnmatchcase(name, rule.rstrip("/").lstrip("/")):
            return True
    return False


def test_what_the_checks_write_is_ignored() -> None:
    rules = patterns()
    missing = [path for path in WRITTEN if not is_ignored(path, rules)]
    assert not missing, f".gitignore does not cover {missing}"


def test_the_matcher_tells_files_from_directories() -> None:
    assert is_ignored(".venv/", [".venv/"])
    assert not is_ignored(".venv", [".venv/"])
    assert is_ignored("x.db", ["*.db"])
    assert not is_ignored("README.md", ["*.db", ".venv/"])
