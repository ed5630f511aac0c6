"""The template README's question table lists every question and choice it offers."""

from __future__ import annotations

import re

from tests.matrix import TEMPLATE_ROOT, choices, questions


def _table_rows() -> dict[str, list[str]]:
    """Question -> the backticked values of its rows (continuation rows included)."""
    text = (TEMPLATE_ROOT / "README.md").read_text()
    section = text.split("## Questions", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, list[str]] = {}
    current = ""
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or (set(cells[0]) <= {"-"} and cells[0]):
            continue
        names = re.findall(r"`([^`]+)`", cells[0])
        current = names[0] if names else current
        for name in names or [current]:
            rows.setdefault(name, []).extend(re.findall(r"`([^`]+)`", cells[1]))
    return rows


def test_every_question_has_a_row() -> None:
    rows = _table_rows()
    missing = [name for name in questions() if name not in rows]
    assert missing == [], f"README.md's question table lacks {missing}"


def test_every_choice_has_a_row() -> None:
    rows = _table_rows()
    missing = [
        f"{name}={value}"
        for name, spec in questions().items()
        if "choices" in spec
        for value in choices(name)
        if str(value) not in rows.get(name, [])
    ]
    assert missing == [], f"README.md's question table lacks the choices {missing}"
