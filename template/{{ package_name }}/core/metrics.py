"""Prometheus metrics and the access log, both written by one pure ASGI middleware.

Every label is bounded: a route is labelled by its template (`/items/{item_id}`),
never by the raw path, a request that matched no route by `UNMATCHED_ROUTE`, an
unknown method by `OTHER`, a status by its class (`2xx`). An ID in a label would be
a new time series per value: never label by a user, an ID, a path or free text.

With several worker processes, set `PROMETHEUS_MULTIPROC_DIR` to an empty directory
shared by them (cleared before each start): prometheus_client then keeps the values
in files there and every scrape reports the sum over the workers.
"""

import logging
import os
import socket
from collections.abc import Iterator
from threading import BoundedSemaphore, Thread
from time import perf_counter
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    make_wsgi_app,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)
access_logger = logging.getLogger(__name__.rpartition(".core.")[0] + ".access")

UNMATCHED_ROUTE = "<unmatched>"
METRICS_PATH = "/metrics"
KNOWN_METHODS = frozenset(
    ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"),
)
# Seconds; fine below the latency objective, coarse above it.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "http_requests",
    "HTTP requests answered, by method, route template and status class.",
    ["method", "route", "status"],
)
REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Seconds from a request's arrival to its response's end.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
RATE_LIMIT_REJECTIONS = Counter(
    "rate_limit_rejections",
    "Requests refused with a 429, by rate limit scope (login, register, ...).",
    ["scope"],
)


def multiprocess_mode() -> bool:
    """Whether worker processes share metrics through PROMETHEUS_MULTIPROC_DIR."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def route_template(scope: Scope) -> str:
    """The matched route's path template, with its routers' prefixes; never the path."""
    # FastAPI 0.137 and later keep included routers: the matched route's own path
    # lacks their prefixes, which the effective route's path format carries.
    context = scope.get("fastapi", {}).get("effective_route_context")
    template = getattr(context, "path_format", None)
    if isinstance(template, str) and template:
        return template
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    return template if isinstance(template, str) and template else UNMATCHED_ROUTE


class RequestTelemetryMiddleware:
    """Count and time each HTTP request; write one access-log line for it.

    The access line holds the method, the route template, the status and the
    duration: never the path or the query, where tokens and IDs travel.
    """

    def __init__(self, app: ASGIApp, *, metrics: bool, access_log: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log
        # Counter and histogram children by labels, made once per label set.
        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        # An exception before the response starts is answered with a 500 outside.
        status = 500

        async def send_observing(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_observing)
        finally:
            self._record(scope, status, perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope["method"]
        if method not in KNOWN_METHODS:
            method = "OTHER"
        route = route_template(scope)
        if self.metrics:
            labels = (method, route, f"{status // 100}xx")
            children = self._children.get(labels)
            if children is None:
                children = (REQUESTS.labels(*labels), REQUEST_DURATION.labels(*labels))
                self._children[labels] = children
            children[0].inc()
            children[1].observe(seconds)
        if self.access_log:
            access_logger.info(
                "%s %s %s",
                method,
                route,
                status,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                },
            )


class PoolCollector(Collector):
    """The database pool's connections in use and over its size, read at scrape time."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        pool = self.engine.sync_engine.pool
        if not isinstance(pool, QueuePool):
            return
        in_use = GaugeMetricFamily(
            "db_pool_connections_in_use", "Pooled connections checked out now."
        )
        in_use.add_metric([], pool.checkedout())
        overflow = GaugeMetricFamily(
            "db_pool_overflow",
            "Connections open beyond the pool's size now (negative: below it).",
        )
        overflow.add_metric([], pool.overflow())
        size = GaugeMetricFamily("db_pool_size", "The pool's configured size.")
        size.add_metric([], pool.size())
        yield from (in_use, overflow, size)


class ProcessMetrics(Collector):
    """This process's metrics, or every worker's with PROMETHEUS_MULTIPROC_DIR."""

    def __init__(self) -> None:
        self._source: Collector = REGISTRY
        if multiprocess_mode():
            # prometheus_client leaves this one constructor unannotated.
            collector = MultiProcessCollector(CollectorRegistry())  # type: ignore[no-untyped-call]
            self._source = collector

    def collect(self) -> Iterator[Metric]:
        return iter(self._source.collect())


def metrics_registry(engine: AsyncEngine) -> CollectorRegistry:
    """The registry a scrape reads: request metrics, and this process's pool.

    With several workers the pool gauges are left out: each worker has a pool of its
    own and a scrape reaches only one of them.
    """
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ProcessMetrics())
    if not multiprocess_mode():
        registry.register(PoolCollector(engine))
    return registry


def metrics_endpoint(registry: CollectorRegistry) -> Any:
    """A route endpoint that answers with `registry` in Prometheus's text format."""

    async def metrics(_request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return metrics


# The metrics port answers at most this many scrapes at once, each within this
# many seconds; a connection beyond them is closed at once. Idle or slow connections
# cost the process neither a thread each nor CPU (and never the API's requests).
MAX_SCRAPES = 4
SCRAPE_TIMEOUT_SECONDS = 5.0


class _ScrapeHandler(WSGIRequestHandler):
    timeout = SCRAPE_TIMEOUT_SECONDS

    def log_message(self, *_args: Any) -> None:
        """No line per scrape: Prometheus scrapes every few seconds."""


class _MetricsServer(WSGIServer):
    """Scrapes on threads of their own, at most MAX_SCRAPES at once."""

    request_queue_size = 64

    def server_bind(self) -> None:
        self.slots = BoundedSemaphore(MAX_SCRAPES)
        super().server_bind()

    def process_request(
        self,
        request: socket.socket,  # type: ignore[override]
        client_address: Any,
    ) -> None:
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)  # busy: closed, not queued
            return
        Thread(target=self._scrape, args=(request, client_address), daemon=True).start()

    def _scrape(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A broken scrape ends its own connection, with a line, not a traceback."""
        logger.debug("metrics scrape from %s failed", client_address, exc_info=True)


def start_metrics_server(
    registry: CollectorRegistry, *, host: str, port: int
) -> tuple[WSGIServer, Thread] | None:
    """Serve `registry` on `host:port` in a thread; None when the port is taken.

    With several workers each one tries; the first serves (all workers' metrics with
    PROMETHEUS_MULTIPROC_DIR), the others find the port taken and leave it.
    """
    try:
        server = make_server(
            host,
            port,
            make_wsgi_app(registry),
            server_class=_MetricsServer,
            handler_class=_ScrapeHandler,
        )
    except OSError as exc:
        logger.info("metrics port %s:%s not opened: %s", host, port, exc)
        return None
    thread = Thread(target=server.serve_forever, name="metrics", daemon=True)
    thread.start()
    return server, thread


def quiet_server_access_log() -> None:
    """Silence uvicorn's text access line: the JSON one replaces it."""
    logging.getLogger("uvicorn.access").disabled = True
