"""The option space, read from copier.yml, and the answer sets the tests use.

Choices come from the questionnaire itself, so a value added there is tested
without touching this file.
"""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]

# The questions whose values reshape the generated code.
SHAPING = ("stack", "architecture", "line_length", "migration_tool", "task_queue")


@cache
def questions() -> dict[str, Any]:
    """The questions of copier.yml (keys that do not start with `_`)."""
    data = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())
    return {name: spec for name, spec in data.items() if not name.startswith("_")}


def choices(name: str) -> list[Any]:
    """The values a question offers, in copier.yml's order."""
    spec = questions()[name]["choices"]
    return list(spec.values()) if isinstance(spec, dict) else list(spec)


def defaults() -> dict[str, Any]:
    """The default value of every shaping question and the Python version."""
    return {name: questions()[name]["default"] for name in (*SHAPING, "python_version")}


def every_combination() -> list[dict[str, Any]]:
    """Every combination of the shaping questions (the static tier)."""
    names = list(SHAPING)
    return [
        dict(zip(names, values, strict=True))
        for values in itertools.product(*(choices(name) for name in names))
    ]


def one_at_a_time() -> list[dict[str, Any]]:
    """The defaults, then each other value of each question alone (the fast tier)."""
    base = defaults()
    combos = [base]
    for name in SHAPING:
        combos += [{**base, name: value} for value in choices(name) if value != base[name]]
    return combos


def pairwise() -> list[dict[str, Any]]:
    """A small set in which every pair of values of two questions appears together.

    The Python version counts as a question here, so every version meets every value
    of the shaping questions. Greedy: repeatedly take the full combination that covers
    the most pairs not yet covered.
    """
    names = [*SHAPING, "python_version"]

    def pairs_of(combo: dict[str, Any]) -> set[tuple[tuple[str, Any], tuple[str, Any]]]:
        return set(itertools.combinations([(n, combo[n]) for n in names], 2))

    candidates = [
        dict(zip(names, values, strict=True))
        for values in itertools.product(*(choices(name) for name in names))
    ]
    uncovered = set().union(*(pairs_of(combo) for combo in candidates))
    chosen: list[dict[str, Any]] = []
    while uncovered:
        best = max(candidates, key=lambda combo: len(pairs_of(combo) & uncovered))
        chosen.append(best)
        uncovered -= pairs_of(best)
    return chosen


def combo_id(answers: dict[str, Any]) -> str:
    """A test id that names the answers, e.g. `sqlalchemy-routers-services-88-...`."""
    keys = (*SHAPING, "python_version")
    return "-".join(str(answers[key]) for key in keys if key in answers)


def github_matrix() -> dict[str, list[dict[str, str]]]:
    """The covering set as a GitHub Actions matrix: one deep job per combination."""
    return {
        "include": [
            {"id": combo_id(combo), "python": str(combo["python_version"])} for combo in pairwise()
        ]
    }


if __name__ == "__main__":
    import json
    import sys

    if sys.argv[1:] != ["--github-matrix"]:
        sys.exit("usage: python -m tests.matrix --github-matrix")
    print(json.dumps(github_matrix(), separators=(",", ":")))
