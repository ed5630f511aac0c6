"""Releases: RELEASES, CHANGELOG and the tagging workflow agree, and tagging works."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

from tests.matrix import TEMPLATE_ROOT

SCRIPT = TEMPLATE_ROOT / "scripts" / "tag-releases"
WORKFLOW = TEMPLATE_ROOT / ".github" / "workflows" / "release-tags.yml"
GIT_ENV = {"GIT_COMMITTER_NAME": "Release Tests", "GIT_COMMITTER_EMAIL": "t@example.com"}


def _releases() -> list[tuple[str, str]]:
    lines = (TEMPLATE_ROOT / "RELEASES").read_text().splitlines()
    fields = [line.split("#", 1)[0].split() for line in lines]
    return [(f[0], f[1]) for f in fields if f]


def test_releases_are_pep_440_versions_in_increasing_order() -> None:
    versions = [Version(version) for version, _commit in _releases()]
    assert versions, "RELEASES lists no release"
    assert versions == sorted(versions)
    assert [str(v) for v in versions] == [version for version, _ in _releases()]


def test_every_release_has_a_changelog_section_with_an_upgrading_note() -> None:
    changelog = (TEMPLATE_ROOT / "CHANGELOG.md").read_text()
    sections = dict(re.findall(r"^## (\S+)[^\n]*\n(.*?)(?=^## |\Z)", changelog, re.M | re.S))
    for version, _commit in _releases():
        assert version in sections, f"CHANGELOG.md has no section for {version}"
        assert "### Upgrading" in sections[version], f"{version} has no Upgrading note"


def test_the_workflow_tags_releases_when_they_land_on_the_default_branch() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    trigger = workflow[True]  # YAML 1.1 reads the key `on` as a boolean
    assert trigger["push"]["branches"] == ["main"]
    steps = workflow["jobs"]["tag"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0, "tagging needs the whole history"
    assert any("scripts/tag-releases --push" in step.get("run", "") for step in steps)
    assert workflow["permissions"]["contents"] == "write"


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    if not (TEMPLATE_ROOT / ".git").exists():
        pytest.skip("the template is not a git checkout here, so there are no commits to tag")
    dest = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--no-tags", str(TEMPLATE_ROOT), str(dest)], check=True
    )
    return dest


def _tag_releases(clone: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        cwd=clone,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=False,
    )


def _tag_commit(clone: Path, version: str) -> str:
    return subprocess.run(
        ["git", "rev-parse", f"refs/tags/{version}^{{commit}}"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_the_script_tags_each_release_at_its_commit_once(clone: Path) -> None:
    first = _tag_releases(clone)
    assert first.returncode == 0, first.stderr
    for version, commit in _releases():
        assert _tag_commit(clone, version).startswith(commit)
    second = _tag_releases(clone)
    assert second.returncode == 0, second.stderr
    assert "every release is tagged" in second.stdout


def test_the_script_refuses_a_tag_that_points_elsewhere(clone: Path) -> None:
    version, commit = _releases()[-1]
    # The release commit's parent: never the commit RELEASES names.
    subprocess.run(
        ["git", "tag", version, f"{commit}~1"],
        cwd=clone,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    result = _tag_releases(clone)
    assert result.returncode != 0
    assert f"tag {version} points at" in result.stderr


@pytest.mark.slow
def test_copier_sees_the_tagged_releases(clone: Path, tmp_path: Path) -> None:
    assert _tag_releases(clone).returncode == 0
    newest = _releases()[-1][0]
    copier = shutil.which("copier", path=str(Path(sys.executable).parent))
    assert copier
    result = subprocess.run(
        [copier, "copy", "--defaults", "--vcs-ref", newest, str(clone), str(tmp_path / "p")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"Copying from template version {newest}" in result.stderr
    answers = yaml.safe_load((tmp_path / "p" / ".copier-answers.yml").read_text())
    assert answers["_commit"] == newest
