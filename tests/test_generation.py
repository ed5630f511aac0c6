"""Generation itself: deterministic output, and a quick start that works with no services."""

from __future__ import annotations

import filecmp
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import VENV_BIN, Generate, assert_ok, copie_render, run
from tests.matrix import choices, defaults
from tests.update_support import GIT_ENV


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.mark.slow
def test_two_copies_with_the_same_answers_are_byte_identical(
    template_src: Path,
    copie: Any,
) -> None:
    first = copie_render(copie, template_src, project_name="Same")
    second = copie_render(copie, template_src, project_name="Same")
    assert first != second
    assert _tree(first) == _tree(second)
    assert not filecmp.dircmp(first, second).diff_files


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _quick_start(project: Path) -> tuple[list[str], str]:
    """The generated README's quick start: its shell commands, then the admin command."""
    readme = (project / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    commands = [line.split("#", 1)[0].strip() for line in blocks[0].splitlines()]
    return [command for command in commands if command], blocks[1].strip()


def _without_uv(command: str) -> list[str]:
    """`uv run <tool> ...` as the template environment's own tool (every one is there)."""
    words = shlex.split(command)
    assert words[:2] == ["uv", "run"], command
    tool = sys.executable if words[2] == "python" else str(VENV_BIN / words[2])
    return [tool, *words[3:]]


@pytest.mark.parametrize(
    "migration_tool",
    # Each serves the app: the default tool is slow, the others are deep (both --deep).
    [
        pytest.param(
            tool,
            marks=pytest.mark.slow if tool == defaults()["migration_tool"] else pytest.mark.deep,
        )
        for tool in choices("migration_tool")
    ],
)
def test_the_readme_quick_start_serves_the_api_with_no_services(
    generate: Generate,
    tmp_path: Path,
    migration_tool: str,
) -> None:
    # A copy: the steps commit it to git, and shared renders stay untouched.
    project = tmp_path / "project"
    shutil.copytree(generate(migration_tool=migration_tool), project)
    setup, create_admin = _quick_start(project)
    assert setup[0] == "uv sync"
    assert setup[-1] == "uv run fastapi dev"
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'dev.db'}",
        "REDIS_URL": "",
        "ADMIN_PASSWORD": "quick-start-password-1",
    }
    # The steps between installing and serving (the migrations, when there are any).
    for command in setup[1:-1]:
        if command.startswith("git "):
            done = subprocess.run(
                ["bash", "-c", command],
                cwd=project,
                env={**os.environ, **GIT_ENV},
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        else:
            assert_ok(run(_without_uv(command), project, env=env))
    # `copier update` needs a committed tree: the steps leave one.
    assert (project / ".git").is_dir()
    port = _free_port()
    # `fastapi dev` finds the app through [tool.fastapi] in the project's pyproject.
    server = subprocess.Popen(
        [*_without_uv(setup[-1]), "--no-reload", "--port", str(port)],
        cwd=project,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout and server.stdout.read()
                assert time.monotonic() < deadline, "the app did not start in 30 s"
                time.sleep(0.2)
        assert health.json() == {"status": "ok"}
        docs = httpx.get(f"{base}/docs", timeout=5)
        assert "swagger" in docs.text.lower()
        # The README's next step, then the data endpoints on the same SQLite file.
        admin = create_admin.replace("<email>", "admin@example.com")
        assert_ok(run(_without_uv(admin), project, env=env))
        with httpx.Client(base_url=f"{base}/api/v1", timeout=5) as client:
            login = client.post(
                "/auth/login",
                data={"username": "admin@example.com", "password": env["ADMIN_PASSWORD"]},
            )
            assert login.status_code == 200, login.text
            client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
            created = client.post("/items", json={"title": "first item"})
            assert created.status_code == 201, created.text
            listed = client.get("/items")
            assert listed.status_code == 200, listed.text
            assert listed.json()["total"] == 1
            assert [item["title"] for item in listed.json()["items"]] == ["first item"]
    finally:
        server.terminate()
        server.wait(timeout=10)
