"""Wall time of `copier copy` and `copier update` for the default project.

Runs the copier command line (as a user would), a few times each, from a temporary
git repository holding the template with two tags. Targets on a 2-core machine:
copy < 1.5 s, update < 3 s.

    uv run python bench/bench_copier.py [--runs 5]
"""

from __future__ import annotations

import argparse
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


def _timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        template = root / "template"
        for relative in _tracked_files(TEMPLATE_ROOT):
            if (TEMPLATE_ROOT / relative).is_file():
                (template / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(TEMPLATE_ROOT / relative, template / relative)
        commit_all(template, "v1", tag="v1")
        readme = template / "template" / "README.md.jinja"
        readme.write_text(readme.read_text() + "\nA line added in v2.\n")
        commit_all(template, "v2", tag="v2")

        copies, updates = [], []
        for run in range(args.runs):
            project = root / f"project{run}"
            copies.append(
                _timed(
                    [
                        *COPIER,
                        "copy",
                        "--quiet",
                        "--defaults",
                        "--vcs-ref",
                        "v1",
                        str(template),
                        str(project),
                    ],
                    root,
                ),
            )
            commit_all(project, "Start")
            updates.append(
                _timed(
                    [*COPIER, "update", "--quiet", "--defaults", "--vcs-ref", "v2"],
                    project,
                ),
            )
            assert "A line added in v2." in (project / "README.md").read_text()
            git(project, "status", "--porcelain")

    for name, times, target in (("copy", copies, 1.5), ("update", updates, 3.0)):
        print(
            f"copier {name:6s} median {statistics.median(times):.2f} s  "
            f"min {min(times):.2f} s  max {max(times):.2f} s  "
            f"(target < {target} s, {len(times)} runs)",
        )


if __name__ == "__main__":
    main()
