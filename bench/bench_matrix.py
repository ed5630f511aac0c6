"""The test matrix's size and times: generating every combination, static tier, deep tier.

Prints how many answer combinations each tier covers (the deep covering set in full),
then times, on this machine:

- generating every combination with Copier (in process, one after another);
- the static tier over every combination: `pytest tests/test_static.py
  --all-combinations -n 2` (ruff, ruff format, lint-imports, byte-compile, answers);
- the deep covering set: `pytest tests/test_deep.py --deep -n 2` (mypy --strict and
  each project's own tests), on PostgreSQL and Redis when TEST_DATABASE_URL and
  REDIS_URL are set.

Targets on a 2-core machine: static tier < 3 min, deep covering set < 15 min.

    uv run python bench/bench_matrix.py [--skip-generate] [--skip-static] [--skip-deep]
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

from tests.conftest import _tracked_files, generate_project
from tests.matrix import TEMPLATE_ROOT, combo_id, every_combination, one_at_a_time, pairwise

TARGETS = {"static": 180.0, "deep": 900.0}


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s"


def time_generation() -> None:
    """Render every combination once and print the total and the median."""
    combos = every_combination()
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "template"
        for relative in _tracked_files(TEMPLATE_ROOT):
            if (TEMPLATE_ROOT / relative).is_file():
                (source / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(TEMPLATE_ROOT / relative, source / relative)
        times = []
        for number, answers in enumerate(combos):
            start = time.perf_counter()
            generate_project(source, Path(scratch) / f"project{number}", **answers)
            times.append(time.perf_counter() - start)
    print(
        f"generate every combination: {_minutes(sum(times))} for {len(times)} "
        f"(median {statistics.median(times):.2f} s each)"
    )


def time_pytest(tier: str, arguments: list[str]) -> None:
    """Run one tier of the template's tests and print its wall time against the target."""
    command = [sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider"]
    start = time.perf_counter()
    result = subprocess.run([*command, *arguments], cwd=TEMPLATE_ROOT, check=False)
    seconds = time.perf_counter() - start
    verdict = "met" if seconds < TARGETS[tier] else "NOT met"
    outcome = "passed" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
    print(
        f"{tier} tier: {_minutes(seconds)}, {outcome}; "
        f"target < {_minutes(TARGETS[tier])}: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--skip-static", action="store_true")
    parser.add_argument("--skip-deep", action="store_true")
    args = parser.parse_args()

    deep = pairwise()
    print(f"static tier: every combination, {len(every_combination())}")
    print(f"fast tier (default run): defaults, then each other value alone, {len(one_at_a_time())}")
    print(f"deep tier: a covering set of every pair of values, {len(deep)}:")
    for answers in deep:
        print(f"  {combo_id(answers)}")
    services = [name for name in ("TEST_DATABASE_URL", "REDIS_URL") if os.environ.get(name)]
    print(f"services for the deep tier: {', '.join(services) or 'none (SQLite, in-memory)'}")
    print(f"load average before: {os.getloadavg()[0]:.2f}")

    if not args.skip_generate:
        time_generation()
    if not args.skip_static:
        time_pytest("static", ["tests/test_static.py", "--all-combinations"])
    if not args.skip_deep:
        time_pytest("deep", ["tests/test_deep.py", "--deep"])
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
