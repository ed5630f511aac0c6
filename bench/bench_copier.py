"""Wall time of `copier copy` and `copier update` for the default project.

Runs the copier command line (as a user would), a few times each, from a temporary
git repository holding the template with two tags. Targets on a 2-core machine:
copy < 1.5 s, update < 3 s.

Each figure is taken twice. "cached bytecode" is what a user sees from the second run
on: Python keeps the compiled modules of Copier and its dependencies (here in a
scratch PYTHONPYCACHEPREFIX, warmed by one untimed copy). "no bytecode" points
PYTHONPYCACHEPREFIX at an empty directory and sets PYTHONDONTWRITEBYTECODE=1, so every
start compiles Copier from source: a first run, or a machine that never writes bytecode.

The same run times Copier on a one-file template (one question, one file) and prints
each figure as a multiple of it: what is left above 1x is what this template costs.
With --hollow it also times this template's tree with every file under `template/`
emptied (same paths, questions and validators): what Copier's per-path work costs
(clones, path names compiled part by part, a git call per file), whatever the files
hold. The gap between the two is what the files' own Jinja costs.

    uv run python bench/bench_copier.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import _tracked_files
from tests.matrix import TEMPLATE_ROOT
from tests.update_support import commit_all, git

COPIER = [sys.executable, "-m", "copier"]


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def _copy(template: Path, project: Path, env: dict[str, str]) -> float:
    command = [*COPIER, "copy", "--quiet", "--defaults", "--vcs-ref", "v1"]
    return _timed([*command, str(template), str(project)], project.parent, env)


def _update(project: Path, env: dict[str, str]) -> float:
    command = [*COPIER, "update", "--quiet", "--defaults", "--vcs-ref", "v2"]
    return _timed(command, project, env)


def _environments(root: Path) -> dict[str, dict[str, str]]:
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        "cached bytecode": {**base, "PYTHONPYCACHEPREFIX": str(root / "pycache")},
        # An empty prefix hides the bytecode beside the installed modules too.
        "no bytecode": {
            **base,
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPYCACHEPREFIX": str(root / "no-pycache"),
        },
    }


def template_repository(root: Path) -> Path:
    """This checkout's tracked files as a git repository at `root/template`: v1, v2."""
    template = root / "template"
    for relative in _tracked_files(TEMPLATE_ROOT):
        if (TEMPLATE_ROOT / relative).is_file():
            (template / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE_ROOT / relative, template / relative)
    commit_all(template, "v1", tag="v1")
    readme = template / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\nA line added in v2.\n")
    commit_all(template, "v2", tag="v2")
    return template


def floor_repository(root: Path) -> Path:
    """Copier's own cost: a template of one question and one file, tagged v1 and v2."""
    template = root / "floor"
    (template / "template").mkdir(parents=True)
    (template / "copier.yml").write_text(
        "_subdirectory: template\nname:\n  type: str\n  default: floor\n"
    )
    readme = template / "template" / "README.md.jinja"
    readme.write_text("# {{ name }}\n")
    (template / "template" / "{{ _copier_conf.answers_file }}.jinja").write_text(
        "{{ _copier_answers | to_nice_yaml }}"
    )
    commit_all(template, "v1", tag="v1")
    readme.write_text(readme.read_text() + "\nA line added in v2.\n")
    commit_all(template, "v2", tag="v2")
    return template


def hollow_repository(root: Path) -> Path:
    """This template's repository with every file under `template/` emptied, v1 and v2."""
    template = template_repository(root)
    for path in (template / "template").rglob("*"):
        # The answers file stays: Copier needs it to update.
        if path.is_file() and "answers_file" not in path.name:
            path.write_text("")
    commit_all(template, "hollow v1")
    git(template, "tag", "--force", "v1")
    (template / "template" / "README.md.jinja").write_text("A line added in v2.\n")
    commit_all(template, "hollow v2")
    git(template, "tag", "--force", "v2")
    return template


def copy_and_update(template: Path, project: Path, env: dict[str, str]) -> tuple[float, float]:
    """Copy the default project at v1, commit it, update it to v2; return both times."""
    copy_seconds = _copy(template, project, env)
    commit_all(project, "Start")
    update_seconds = _update(project, env)
    assert "A line added in v2." in (project / "README.md").read_text()
    return copy_seconds, update_seconds


def warmed_environment(root: Path, template: Path) -> dict[str, str]:
    """The cached-bytecode environment, after one untimed copy has filled its cache."""
    env = _environments(root)["cached bytecode"]
    _copy(template, root / "warm-up", env)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--hollow",
        action="store_true",
        help="also time the same tree with every file emptied (cached bytecode only)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        template = template_repository(root)
        floor = floor_repository(root)
        hollow = hollow_repository(root / "hollow") if args.hollow else None
        warmed_environment(root, template)
        for mode, env in _environments(root).items():
            slug = mode.replace(" ", "-")
            # Template and floor in turns, so drift in the machine's speed hits both.
            times, floor_times, hollow_times = [], [], []
            for run in range(args.runs):
                times.append(copy_and_update(template, root / f"{slug}-{run}", env))
                floor_times.append(copy_and_update(floor, root / f"{slug}-floor-{run}", env))
                if hollow and mode == "cached bytecode":
                    hollow_times.append(copy_and_update(hollow, root / f"{slug}-hollow-{run}", env))
            _report(mode, times, floor_times)
            if hollow_times:
                _report_hollow(mode, times, hollow_times)


def _report(
    mode: str,
    times: list[tuple[float, float]],
    floor_times: list[tuple[float, float]],
) -> None:
    for index, (name, target) in enumerate((("copy", 1.5), ("update", 3.0))):
        ours = [run[index] for run in times]
        floor = statistics.median(run[index] for run in floor_times)
        median = statistics.median(ours)
        print(
            f"{mode:15s} copier {name:6s} median {median:.2f} s  "
            f"min {min(ours):.2f} s  max {max(ours):.2f} s  "
            f"one-file template {floor:.2f} s ({median / floor:.1f}x)  "
            f"(target < {target} s, {len(ours)} runs)",
        )


def _report_hollow(
    mode: str,
    times: list[tuple[float, float]],
    hollow_times: list[tuple[float, float]],
) -> None:
    for index, name in enumerate(("copy", "update")):
        ours = statistics.median(run[index] for run in times)
        hollow = statistics.median(run[index] for run in hollow_times)
        print(
            f"{mode:15s} copier {name:6s} same tree, files emptied: median {hollow:.2f} s "
            f"({hollow / ours:.0%} of the template's {ours:.2f} s)",
        )


if __name__ == "__main__":
    main()
