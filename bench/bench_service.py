"""Side-by-side benchmark of the generated service and a floor, on PostgreSQL.

Generates the default project, migrates a fresh PostgreSQL database, seeds a user
with 200 items and serves the app with uvicorn (one worker, no access log), then
loads it with wrk from a second process on loopback: GET /health, the authenticated
item list (20 per page with total: the headline) and item create. In the same run it
serves bench/floor_app.py (bare ASGI + asyncpg) and bench/framework_app.py (the same
stack, FastAPI and SQLAlchemy's ORM, with nothing of the template) on the same data,
loads the lists and the creates in turns (--rounds) and prints the medians, the ratios
and each server's CPU time per request (steadier than requests/s on a machine whose
speed drifts). It starts with the
wall time of one `copier copy` and one `copier update` from the command line
(bench/bench_copier.py takes the medians of several).

    uv run python bench/bench_service.py [--duration 10] [--rounds 3] [-d stack=sqlmodel]

Needs wrk (Debian: `apt-get install wrk`) and a PostgreSQL server: BENCH_DATABASE_URL,
default postgresql://postgres@127.0.0.1:5432/test (a database is created beside it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import copier
import httpx
from pwdlib import PasswordHash

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_copier import copy_and_update, template_repository, warmed_environment
from tests.conftest import _tracked_files
from tests.matrix import TEMPLATE_ROOT

BENCH_DIR = Path(__file__).resolve().parent
PASSWORD = "bench-password-123"
SECRET = "bench-secret-" + "k" * 40
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def generate(dest: Path, answers: dict[str, str]) -> None:
    """Render a project (defaults, then `answers`) from this checkout."""
    source = dest.parent / "template"
    for relative in _tracked_files(TEMPLATE_ROOT):
        if (TEMPLATE_ROOT / relative).is_file():
            (source / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE_ROOT / relative, source / relative)
    copier.run_copy(str(source), dest, data=answers, defaults=True, unsafe=False, quiet=True)


def copier_times(scratch: Path) -> tuple[float, float]:
    """One command-line `copier copy` and `copier update` of the default project."""
    root = scratch / "copier"
    template = template_repository(root)
    return copy_and_update(template, root / "project", warmed_environment(root, template))


@contextmanager
def database(base: str) -> Iterator[str]:
    """A fresh database next to `base`'s (plain postgresql:// URL), dropped after."""
    name = f"bench_{uuid.uuid4().hex[:10]}"

    async def execute(sql: str) -> None:
        connection = await asyncpg.connect(base)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def seed(url: str, items: int) -> int:
    """One user with `items` items; return the user's id."""
    connection = await asyncpg.connect(url)
    try:
        user_id: int = await connection.fetchval(
            "INSERT INTO users (email, hashed_password, full_name, role, is_active, "
            "created_at, updated_at) VALUES ($1, $2, NULL, 'user', true, now(), now()) "
            "RETURNING id",
            "bench@example.com",
            PasswordHash.recommended().hash(PASSWORD),
        )
        await connection.executemany(
            "INSERT INTO items (title, description, owner_id, created_at, updated_at) "
            "VALUES ($1, $2, $3, now() - make_interval(secs => $4), now())",
            [(f"item {n}", "seeded", user_id, n) for n in range(items)],
        )
    finally:
        await connection.close()
    return user_id


def add_answers_option(parser: argparse.ArgumentParser) -> None:
    """The `-d QUESTION=VALUE` option: answers other than the defaults."""
    parser.add_argument(
        "-d",
        "--data",
        action="append",
        default=[],
        metavar="QUESTION=VALUE",
        help="an answer other than the default, e.g. -d stack=sqlmodel (repeatable)",
    )


def add_load_options(parser: argparse.ArgumentParser) -> None:
    """wrk's load (--duration, --connections, --threads) and the seeded --items."""
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--items", type=int, default=200)


def answers_of(args: argparse.Namespace) -> dict[str, str]:
    """The `-d` answers, refused unless the project migrates with Alembic."""
    answers = dict(item.split("=", 1) for item in args.data)
    if answers.get("migration_tool", "alembic") != "alembic":
        raise SystemExit("the benchmark migrates with Alembic: keep migration_tool=alembic")
    return answers


def app_environment(url: str) -> dict[str, str]:
    """The generated app's settings for `url` (plain postgresql://): production, no
    rate limits, warnings only."""
    return {
        "DATABASE_URL": url.replace("postgresql://", "postgresql+asyncpg://", 1),
        "SECRET_KEY": SECRET,
        "ENVIRONMENT": "production",
        "RATE_LIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }


def migrate(project: Path, env: dict[str, str]) -> None:
    """Bring the project's database to the newest revision."""
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=project,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )


@dataclass(frozen=True)
class Server:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serve(command: list[str], cwd: Path, env: dict[str, str], port: int) -> Iterator[Server]:
    """Run a server until the block ends; yield it once /health answers."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    err = process.stderr.read().decode() if process.stderr else ""
                    raise SystemExit(f"server did not start: {err[-2000:]}") from None
                time.sleep(0.2)
        yield Server(url=base, pid=process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


def uvicorn(app: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def wrk(
    url: str,
    args: argparse.Namespace,
    headers: dict[str, str],
    script: Path | None = None,
    server: Server | None = None,
) -> dict[str, float]:
    """Load `url` with wrk; return requests/s, p50 and p99 in ms, non-2xx count and,
    given the `server`, its CPU time per request in microseconds."""
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    subprocess.run([*command, "-d2s", url], capture_output=True, check=True)  # warm-up
    cpu_before = server.cpu_seconds() if server else 0.0
    out = subprocess.run(
        [*command, f"-d{args.duration}s", url], capture_output=True, text=True, check=True
    ).stdout
    cpu = server.cpu_seconds() - cpu_before if server else 0.0

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        assert match, out
        return float(match[1]) * UNITS[match[2]]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"^\s*(\d+) requests in", out, re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert rps, out
    assert total, out
    return {
        "rps": float(rps[1]),
        "p50": latency("50"),
        "p99": latency("99"),
        "non_2xx": float(errors[1]) if errors else 0.0,
        "cpu_us": cpu / int(total[1]) * 1e6,
    }


def median_of(results: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds."""
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def _login(base: str) -> dict[str, str]:
    """The seeded user's Authorization header."""
    login = httpx.post(
        f"{base}/api/v1/auth/login",
        data={"username": "bench@example.com", "password": PASSWORD},
    )
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def report(name: str, result: dict[str, float]) -> None:
    cpu = f"   CPU {result['cpu_us']:5.0f} us/req" if result.get("cpu_us") else ""
    print(
        f"{name:34s} {result['rps']:9.0f} req/s   p50 {result['p50']:7.2f} ms   "
        f"p99 {result['p99']:7.2f} ms   non-2xx {int(result['non_2xx'])}{cpu}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_load_options(parser)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="loads of the app, the floor and the framework app, taken in turns; "
        "medians are printed",
    )
    add_answers_option(parser)
    args = parser.parse_args()
    answers = answers_of(args)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    base = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")

    with tempfile.TemporaryDirectory() as scratch, database(base) as url:
        copy_seconds, update_seconds = copier_times(Path(scratch))
        print(
            f"copier copy {copy_seconds:.2f} s, copier update {update_seconds:.2f} s "
            "(default project, command line, cached bytecode)"
        )
        project = Path(scratch) / "project"
        generate(project, answers)
        print(f"answers: defaults, {answers or 'no others'}")
        app_env = app_environment(url)
        migrate(project, app_env)
        owner_id = asyncio.run(seed(url, args.items))
        list_path = "/api/v1/items?limit=20&offset=0"
        print(
            f"load: wrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
            f"uvicorn 1 worker, PostgreSQL on loopback, {args.items} items, "
            f"{args.rounds} rounds, the app taken in turns with the floor and the framework app"
        )
        floor_env = {
            "DATABASE_URL": url,
            "FLOOR_TOKEN": "floor-token",
            "FLOOR_OWNER_ID": str(owner_id),
        }
        framework_env = {
            **floor_env,
            "DATABASE_URL": app_env["DATABASE_URL"],
        }
        floor_auth = {"Authorization": "Bearer floor-token"}
        app_port, floor_port, framework_port = _free_port(), _free_port(), _free_port()
        with (
            serve(uvicorn("app.main:app", app_port), project, app_env, app_port) as app,
            serve(uvicorn("floor_app:app", floor_port), BENCH_DIR, floor_env, floor_port) as floor,
            serve(
                uvicorn("framework_app:app", framework_port),
                BENCH_DIR,
                framework_env,
                framework_port,
            ) as framework,
        ):
            auth = _login(app.url)
            health = wrk(f"{app.url}/health", args, {}, server=app)
            # The machine's speed drifts: taking the loads in turns pairs each app
            # figure with floor and framework figures taken under the same conditions.
            listings, floors, framework_listings = [], [], []
            for _ in range(args.rounds):
                listings.append(wrk(f"{app.url}{list_path}", args, auth, server=app))
                floors.append(wrk(f"{floor.url}{list_path}", args, floor_auth, server=floor))
                framework_listings.append(
                    wrk(f"{framework.url}{list_path}", args, floor_auth, server=framework)
                )
            # Creating items grows the list's total: measured after the lists.
            create_script = Path(scratch) / "create.lua"
            create_script.write_text(
                'wrk.method = "POST"\n'
                'wrk.body = \'{"title": "created by wrk", "description": "load"}\'\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
            )
            creates, framework_creates = [], []
            for _ in range(args.rounds):
                creates.append(
                    wrk(f"{app.url}/api/v1/items", args, auth, create_script, server=app)
                )
                framework_creates.append(
                    wrk(
                        f"{framework.url}/api/v1/items",
                        args,
                        floor_auth,
                        create_script,
                        server=framework,
                    )
                )

    report("generated GET /health", health)
    report("generated GET item list (headline)", median_of(listings))
    report("generated POST item", median_of(creates))
    report("framework GET item list", median_of(framework_listings))
    report("framework POST item", median_of(framework_creates))
    report("floor GET item list", median_of(floors))
    report_ratios("generated/floor, item list, req/s", listings, floors, "rps")
    report_ratios("generated/framework, item list, req/s", listings, framework_listings, "rps")
    report_ratios("generated/framework, item create, req/s", creates, framework_creates, "rps")


def report_ratios(
    name: str,
    results: list[dict[str, float]],
    references: list[dict[str, float]],
    key: str,
) -> None:
    """Print the ratio of `key` in each round and their median."""
    ratios = [r[key] / f[key] for r, f in zip(results, references, strict=True)]
    print(
        f"ratio {name}, per round: "
        + ", ".join(f"{ratio:.3f}" for ratio in ratios)
        + f"; median {statistics.median(ratios):.2f}x"
    )


if __name__ == "__main__":
    main()
