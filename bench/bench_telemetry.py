"""What the generated service's telemetry costs: the item list with none, with metrics,
and with metrics and traces exported to a local collector, taken in turns.

Generates and seeds the default project as bench_service.py does and serves it three
times side by side (one uvicorn worker each): `METRICS_ENABLED=false` and no
tracing; metrics (the default); metrics and OpenTelemetry traces, sent to a sink on
loopback that answers every export with 200 (this process, a thread). wrk loads the
authenticated item list of each in turns; the script prints every round's requests/s
and each setup's ratio to the one with no telemetry, with the median.

    uv run python bench/bench_telemetry.py [--duration 10] [--rounds 3]

Needs wrk and a PostgreSQL server, as bench_service.py does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bench_service as service

LIST_PATH = "/api/v1/items?limit=20&offset=0"


class _Sink(BaseHTTPRequestHandler):
    """An OTLP/HTTP collector that keeps nothing: every export gets a 200."""

    exports = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).exports += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def sink() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    service.add_load_options(parser)
    parser.add_argument("--rounds", type=int, default=3)
    service.add_answers_option(parser)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    base = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    answers = service.answers_of(args)

    with (
        tempfile.TemporaryDirectory() as scratch,
        service.database(base) as url,
        sink() as collector,
    ):
        project = Path(scratch) / "project"
        service.generate(project, answers)
        env = service.app_environment(url)
        service.migrate(project, env)
        asyncio.run(service.seed(url, args.items))
        setups = {
            "no telemetry": {**env, "METRICS_ENABLED": "false"},
            "metrics": env,
            "metrics + traces": {
                **env,
                "OTEL_EXPORTER_OTLP_ENDPOINT": collector,
                "OTEL_SERVICE_NAME": "bench",
            },
        }
        print(
            f"answers: defaults, {answers or 'no others'}; load: wrk -t{args.threads} "
            f"-c{args.connections} -d{args.duration}s on GET {LIST_PATH} "
            f"({args.items} items), {args.rounds} rounds, one uvicorn worker each"
        )
        results: dict[str, list[dict[str, float]]] = {name: [] for name in setups}
        with ExitStack() as stack:
            servers = {}
            for name, setup_env in setups.items():
                port = service._free_port()
                command = service.uvicorn("app.main:app", port)
                servers[name] = stack.enter_context(
                    service.serve(command, project, setup_env, port)
                )
            auth = service._login(servers["metrics"].url)
            for _ in range(args.rounds):
                for name, server in servers.items():
                    results[name].append(
                        service.wrk(f"{server.url}{LIST_PATH}", args, auth, server=server)
                    )
        print(f"the sink took {_Sink.exports} exports")
    for name, rounds in results.items():
        service.report(name, service.median_of(rounds))
    for name in ("metrics", "metrics + traces"):
        service.report_ratios(
            f"{name}/no telemetry, req/s", results[name], results["no telemetry"], "rps"
        )


if __name__ == "__main__":
    main()
