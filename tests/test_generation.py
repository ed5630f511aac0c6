"""Generation itself: deterministic output, and an app that starts with no services."""

from __future__ import annotations

import filecmp
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import Generate, generate_project


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_two_copies_with_the_same_answers_are_byte_identical(
    template_src: Path,
    tmp_path: Path,
) -> None:
    first = generate_project(template_src, tmp_path / "first", project_name="Same")
    second = generate_project(template_src, tmp_path / "second", project_name="Same")
    assert _tree(first) == _tree(second)
    assert not filecmp.dircmp(first, second).diff_files


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_fastapi_dev_serves_health_and_docs_with_no_services(
    generate: Generate,
    tmp_path: Path,
) -> None:
    project = generate()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'dev.db'}",
        "REDIS_URL": "",
    }
    # `fastapi dev` finds the app through [tool.fastapi] in the project's pyproject.
    server = subprocess.Popen(
        [sys.executable, "-m", "fastapi", "dev", "--no-reload", "--port", str(port)],
        cwd=project,
        env=env,
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
        assert health.status_code == 200
        assert health.json() == {"status": "ok"}
        docs = httpx.get(f"{base}/docs", timeout=5)
        assert docs.status_code == 200
        assert "swagger" in docs.text.lower()
    finally:
        server.terminate()
        server.wait(timeout=10)
