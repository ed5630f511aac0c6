"""Python function calls per request: the generated app against the framework app.

Counts, not times. cProfile counts every Python-level call (and every call into a
builtin), the same on every run and every machine, so a change's effect on the
interpreter's work shows without the drift that moves requests/s and CPU time by
±25 % on a small machine. Work done inside C (Pydantic's core, asyncpg's protocol,
uvloop) is not counted: confirm a change with bench_service.py.

Generates the default project (or `-d` answers), migrates a fresh PostgreSQL database
and seeds it as bench_service.py does, then, in this one process, sends the same
requests to the generated app and to bench/framework_app.py through ASGI, with no
server and no network between them. It prints the calls per request of each and
where the generated app's extra calls are made, by package (a builtin's calls count
for the package that made them).

    uv run python bench/bench_calls.py [--requests 300] [-d stack=sqlmodel]

Needs a PostgreSQL server: BENCH_DATABASE_URL, as for bench_service.py.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib
import json
import os
import sys
import sysconfig
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_service import (
    PASSWORD,
    add_answers_option,
    answers_of,
    app_environment,
    database,
    generate,
    migrate,
    seed,
)

BENCH_DIR = Path(__file__).resolve().parent
SITE_PACKAGES = sysconfig.get_paths()["purelib"]
STDLIB = sysconfig.get_paths()["stdlib"]
CREATE_BODY = b'{"title": "created by wrk", "description": "load"}'

Call = Callable[[str, str, dict[str, str], bytes], Awaitable[tuple[int, bytes]]]


def asgi_client(app: Any) -> Call:
    """A function that sends one HTTP request to `app` and returns status and body."""

    async def call(
        method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        path, _, query = target.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"bench")]
            + [(name.lower().encode(), value.encode()) for name, value in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        status, chunks = 0, []

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await asyncio.Event().wait()  # the client never disconnects
            raise AssertionError

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, send)
        return status, b"".join(chunks)

    return call


def package_of(filename: str, project: Path) -> str:
    """Where a profiled function lives: an installed package, the template, the stdlib."""
    if filename.startswith(SITE_PACKAGES):
        return filename[len(SITE_PACKAGES) :].strip("/").split("/")[0]
    if filename.startswith(str(project)):
        return "template: " + str(Path(filename).relative_to(project))
    if filename.startswith(str(BENCH_DIR)):
        return "framework_app"
    if filename.startswith(STDLIB) or filename.startswith("<frozen"):
        return "stdlib"
    return filename


def calls_by_package(profile: cProfile.Profile, project: Path) -> Counter[str]:
    """Calls per package; a builtin's calls count for the packages of its callers."""
    profile.create_stats()
    stats: dict[Any, Any] = profile.stats  # type: ignore[attr-defined]
    counts: Counter[str] = Counter()
    for (filename, _line, _name), (_, calls, _, _, callers) in stats.items():
        if filename != "~":
            counts[package_of(filename, project)] += calls
            continue
        for (caller_file, _, _), caller_stats in callers.items():
            counts[package_of(caller_file, project)] += caller_stats[1]
    return counts


async def measure(
    call: Call,
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes,
    *,
    requests: int,
    project: Path,
) -> Counter[str]:
    """Warm up, then profile `requests` identical requests; return calls by package."""
    for _ in range(50):
        status, answer = await call(method, target, headers, body)
        if status not in (200, 201):
            raise SystemExit(f"{method} {target}: {status} {answer[:300]!r}")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        await call(method, target, headers, body)
    profile.disable()
    return calls_by_package(profile, project)


async def run(project: Path, requests: int) -> None:
    generated = importlib.import_module("app.main").app
    framework = importlib.import_module("framework_app").app
    async with generated.router.lifespan_context(generated):
        app_call, framework_call = asgi_client(generated), asgi_client(framework)
        status, answer = await app_call(
            "POST",
            "/api/v1/auth/login",
            {"Content-Type": "application/x-www-form-urlencoded"},
            f"username=bench%40example.com&password={PASSWORD}".encode(),
        )
        if status != 200:
            raise SystemExit(f"login: {status} {answer[:300]!r}")
        auth = {"Authorization": f"Bearer {json.loads(answer)['access_token']}"}
        floor_auth = {"Authorization": "Bearer floor-token"}
        json_body = {"Content-Type": "application/json", "Content-Length": "52"}
        cases = [
            ("GET item list", "GET", "/api/v1/items?limit=20&offset=0", {}, b""),
            ("POST item", "POST", "/api/v1/items", json_body, CREATE_BODY),
        ]
        clients = ((app_call, auth), (framework_call, floor_auth))
        for name, method, target, headers, body in cases:
            app_counts, framework_counts = [
                await measure(
                    call,
                    method,
                    target,
                    {**credentials, **headers},
                    body,
                    requests=requests,
                    project=project,
                )
                for call, credentials in clients
            ]
            report(name, app_counts, framework_counts, requests)


def report(
    name: str,
    app_counts: Counter[str],
    framework_counts: Counter[str],
    requests: int,
) -> None:
    app_total = sum(app_counts.values()) / requests
    framework_total = sum(framework_counts.values()) / requests
    print(
        f"\n{name}: generated {app_total:,.0f} calls per request, framework "
        f"{framework_total:,.0f} ({app_total / framework_total:.2f}x)"
    )
    print("  where the generated app makes more (calls per request, generated - framework):")
    packages = set(app_counts) | set(framework_counts)
    extra = {p: (app_counts[p] - framework_counts[p]) / requests for p in packages}
    for package, calls in sorted(extra.items(), key=lambda item: -item[1])[:12]:
        if calls >= 1:
            print(
                f"  {calls:+8.0f}  {package:40s} "
                f"({app_counts[package] / requests:,.0f} vs "
                f"{framework_counts[package] / requests:,.0f})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    add_answers_option(parser)
    args = parser.parse_args()
    answers = answers_of(args)
    base = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    with tempfile.TemporaryDirectory() as scratch, database(base) as url:
        project = Path(scratch) / "project"
        generate(project, answers)
        # The generated app reads its settings when imported: from this process's env.
        os.environ.update(app_environment(url))
        migrate(project, {})
        owner_id = asyncio.run(seed(url, 200))
        os.environ.update({"FLOOR_TOKEN": "floor-token", "FLOOR_OWNER_ID": str(owner_id)})
        sys.path[:0] = [str(project), str(BENCH_DIR)]
        os.chdir(project)
        print(f"answers: defaults, {answers or 'no others'}; {args.requests} requests each")
        try:
            import uvloop
        except ImportError:
            asyncio.run(run(project, args.requests))
        else:
            uvloop.run(run(project, args.requests))


if __name__ == "__main__":
    main()
