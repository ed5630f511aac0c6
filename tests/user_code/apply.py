"""Put a release's user code (tests/user_code/<version>/) into a generated project.

A release whose resource is written as the one before it names that fixture in
`fixture.yml` (`base`) and holds only what differs: its own files win over the base's,
`derive` writes a file from a base file with strings replaced (a migration under
another revision ID), and `drop` lists base files it does without.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

USER_CODE = Path(__file__).resolve().parent


def releases_with_user_code() -> list[str]:
    """Versions that have a user-code fixture."""
    return sorted(path.name for path in USER_CODE.iterdir() if (path / "edits.yml").is_file())


def fixture_spec(version: str) -> dict[str, Any]:
    """The release's fixture.yml (`base`, `derive`, `drop`), empty if it has none."""
    manifest = USER_CODE / version / "fixture.yml"
    spec: dict[str, Any] = yaml.safe_load(manifest.read_text()) if manifest.is_file() else {}
    return spec


def _files(version: str) -> dict[str, str]:
    """The fixture's file texts per project path: the base's, then its own over them."""
    root = USER_CODE / version
    spec = fixture_spec(version)
    base = _files(spec["base"]) if "base" in spec else {}
    files = dict(base)
    for path, rule in spec.get("derive", {}).items():
        text = base[rule["from"]]
        for old, new in rule["replace"]:
            assert old in text, f"{version}: {old!r} not in {rule['from']}"
            text = text.replace(old, new)
        files[path] = text
    for path in spec.get("drop", []):
        assert files.pop(path, None) is not None, f"{version} drops {path}, not in its base"
    files.update({str(p.relative_to(root)): p.read_text() for p in root.rglob("*.py")})
    return dict(sorted(files.items()))


def user_lines(version: str) -> dict[str, list[str]]:
    """Every non-blank line of the fixture's files, per project path."""
    return {
        relative: [line for line in text.splitlines() if line]
        for relative, text in _files(version).items()
    }


def apply_user_code(version: str, project: Path) -> None:
    """Copy the fixture's files in and make its edits to template files."""
    for relative, text in _files(version).items():
        target = project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    for edit in yaml.safe_load((USER_CODE / version / "edits.yml").read_text()):
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
