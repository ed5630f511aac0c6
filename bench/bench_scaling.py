"""Scaling of the generated service on this machine: 1 and 2 uvicorn workers, and 2
instances behind a round-robin proxy, on PostgreSQL.

Generates the default project, migrates a fresh database and seeds it as
bench/bench_service.py does, then serves the same app three ways at once (one uvicorn
worker; two workers; two one-worker instances behind a small round-robin TCP proxy of
this script's own, in its own process, as a load balancer would spread connections)
and loads the authenticated item list with wrk, the three in turns (--rounds). It
prints each round's requests/s and p99, and each setup's ratio to one worker in the
same round, with the median: the machine's speed drifts, a ratio taken in one round
does not.

    uv run python bench/bench_scaling.py [--duration 10] [--rounds 3] [-d stack=sqlmodel]

Needs wrk (Debian: `apt-get install wrk`) and a PostgreSQL server: BENCH_DATABASE_URL,
default postgresql://postgres@127.0.0.1:5432/test (a database is created beside it).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# One module for the setup every benchmark shares (project, database, server, wrk).
from bench import bench_service as service

LIST_PATH = "/api/v1/items?limit=20&offset=0"
SETUPS = ("1 worker", "2 workers", "2 instances + proxy")


async def _proxy(port: int, backends: list[int]) -> None:
    """Accept on `port`; give each connection to the next backend in turn."""
    turn = itertools.cycle(backends)

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", next(turn))
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def _workers(command: list[str], count: int) -> list[str]:
    at = command.index("--workers") + 1
    return [*command[:at], str(count), *command[at + 1 :]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    service.add_load_options(parser)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--proxy", nargs=3, type=int, help=argparse.SUPPRESS)
    service.add_answers_option(parser)
    args = parser.parse_args()
    if args.proxy:
        port, *backends = args.proxy
        asyncio.run(_proxy(port, backends))
        return
    answers = service.answers_of(args)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    base = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")

    with tempfile.TemporaryDirectory() as scratch, service.database(base) as url:
        project = Path(scratch) / "project"
        service.generate(project, answers)
        env = service.app_environment(url)
        service.migrate(project, env)
        asyncio.run(service.seed(url, args.items))
        ports = [service._free_port() for _ in range(5)]
        one, two, first, second, proxy = ports
        command = service.uvicorn("app.main:app", one)
        two_workers = _workers(service.uvicorn("app.main:app", two), 2)
        print(
            f"answers: defaults, {answers or 'no others'}; load: wrk -t{args.threads} "
            f"-c{args.connections} -d{args.duration}s on GET {LIST_PATH} "
            f"({args.items} items), {args.rounds} rounds, {os.cpu_count()} cores"
        )
        proxy_command = [sys.executable, __file__, "--proxy", str(proxy), str(first), str(second)]
        with (
            service.serve(command, project, env, one) as single,
            service.serve(two_workers, project, env, two) as double,
            service.serve(service.uvicorn("app.main:app", first), project, env, first),
            service.serve(service.uvicorn("app.main:app", second), project, env, second),
            service.serve(proxy_command, project, {}, proxy) as balanced,
        ):
            auth = service._login(single.url)
            urls = dict(zip(SETUPS, (single.url, double.url, balanced.url), strict=True))
            results: dict[str, list[dict[str, float]]] = {setup: [] for setup in SETUPS}
            for _ in range(args.rounds):
                for setup, base_url in urls.items():
                    results[setup].append(service.wrk(f"{base_url}{LIST_PATH}", args, auth))

    reference = results[SETUPS[0]]
    for setup in SETUPS:
        rounds = results[setup]
        per_round = ", ".join(f"{r['rps']:.0f} (p99 {r['p99']:.1f} ms)" for r in rounds)
        pairs = zip(rounds, reference, strict=True)
        ratios = [r["rps"] / one_worker["rps"] for r, one_worker in pairs]
        errors = int(sum(r["non_2xx"] for r in rounds))
        print(
            f"{setup:20s} req/s per round: {per_round}; non-2xx {errors}; "
            f"ratio to 1 worker {', '.join(f'{x:.2f}' for x in ratios)}, "
            f"median {statistics.median(ratios):.2f}x"
        )


if __name__ == "__main__":
    main()
