"""Claude Code hook: format the Python file an edit just changed.

.claude/settings.json runs this after Edit, MultiEdit and Write. Claude Code passes
the tool call as JSON on stdin; `tool_input.file_path` names the edited file. A
Python file is formatted with the project's ruff and its pyproject.toml settings (the
line length among them); any other file is left alone. The hook exits 0 whatever
happens, so it never fails an edit.
"""

import contextlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON_SUFFIXES = (".py", ".pyi")


def edited_python_file(payload: str) -> Path | None:
    """Return the Python file the hook's JSON names, or None."""
    try:
        data = json.loads(payload)
    except json.JSONDecodeError:
        return None
    tool_input = data.get("tool_input") if isinstance(data, dict) else None
    file_path = tool_input.get("file_path") if isinstance(tool_input, dict) else None
    if not isinstance(file_path, str) or not file_path.endswith(PYTHON_SUFFIXES):
        return None
    path = Path(file_path).resolve()
    return path if path.is_file() else None


def main() -> int:
    path = edited_python_file(sys.stdin.read())
    if path is not None:
        config = ROOT / "pyproject.toml"
        command = [sys.executable, "-m", "ruff", "format", "--quiet", "--force-exclude"]
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            subprocess.run(  # noqa: S603 - fixed arguments; the path comes after `--`
                [*command, "--config", str(config), "--", str(path)],
                cwd=ROOT,
                capture_output=True,
                check=False,
                timeout=50,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
