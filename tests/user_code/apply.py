"""Put a release's user code (tests/user_code/<version>/) into a generated project."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

USER_CODE = Path(__file__).resolve().parent


def releases_with_user_code() -> list[str]:
    """Versions that have a user-code fixture."""
    return sorted(path.name for path in USER_CODE.iterdir() if (path / "edits.yml").is_file())


def user_lines(version: str) -> dict[str, list[str]]:
    """Every non-blank line of the fixture's own files, per project path."""
    root = USER_CODE / version
    return {
        str(path.relative_to(root)): [line for line in path.read_text().splitlines() if line]
        for path in sorted(root.rglob("*.py"))
    }


def apply_user_code(version: str, project: Path) -> None:
    """Copy the fixture's files in and make its edits to template files."""
    root = USER_CODE / version
    for path in root.rglob("*.py"):
        target = project / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    for edit in yaml.safe_load((root / "edits.yml").read_text()):
        target = project / edit["path"]
        text = target.read_text()
        if "replace" in edit:
            old, new = edit["replace"]
            assert old in text, f"{old!r} not in {edit['path']}"
            text = text.replace(old, new, 1)
        else:
            line = edit["after"] + "\n"
            assert line in text, f"{edit['after']!r} not in {edit['path']}"
            text = text.replace(line, line + edit["insert"] + "\n", 1)
        target.write_text(text)
