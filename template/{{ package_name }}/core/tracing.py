"""OpenTelemetry traces, off unless an OTLP endpoint is configured.

With `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set, each
request is a span named by its route template (FastAPI's own telemetry), with a
child span for every database statement: its SQL with placeholders, never the bound
values, and one for every call to Redis. Spans leave in batches from a background
thread, so a slow or dead collector never holds a request. Unset, nothing is set up:
no exporter and no thread. `/health`, `/ready` and `/metrics` are never traced.
Text a client chooses (the path, the `Host` header) reaches span attributes: each
is cut to `ATTRIBUTE_LENGTH_LIMIT` characters unless the OTEL_* variables set a limit.

A served app makes its provider the process's own (`trace.get_tracer(__name__)`
finds it), so spans of your own land in the request's trace.
"""

import logging
import os
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any

from fastapi.telemetry import TelemetryConfig
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanLimits, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from .metrics import METRICS_PATH

UNTRACED_PATHS = frozenset({"/health", "/ready", METRICS_PATH})
TRACER_NAME = __name__
# The longest text an attribute of a span, its events and links keeps. A request's
# path and Host header can reach 16 KB each, all of which every span of the request
# would carry to the collector and its storage; a statement's SQL is far shorter.
ATTRIBUTE_LENGTH_LIMIT = 2048
# OpenTelemetry's own variables for it (a whole number of characters): the first
# for every attribute, the second for spans' own. Empty or unset, the default holds.
LENGTH_LIMIT_VARIABLES = (
    "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
    "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT",
)


def tracing_configured(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the OpenTelemetry variables ask for traces to be exported."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() == "none":
        return False
    endpoints = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
    return any(environ.get(name, "").strip() for name in endpoints)


def create_tracer_provider(
    service_name: str,
    *,
    exporter: SpanExporter | None = None,
) -> TracerProvider | None:
    """A provider exporting to the configured OTLP endpoint, or None when unset.

    `exporter` replaces the OTLP exporter (tests keep spans in memory with it).
    """
    if not tracing_configured():
        return None
    # The SDK logs a warning for each value it cuts: a log line a client can repeat.
    logging.getLogger("opentelemetry.attributes").setLevel(logging.ERROR)
    provider = TracerProvider(
        resource=Resource.create({"service.name": service_name}),
        span_limits=span_limits(),
    )
    # The exporter reads the endpoint, headers and timeout from the OTEL_* variables.
    provider.add_span_processor(BatchSpanProcessor(exporter or OTLPSpanExporter()))
    return provider


def span_limits(environ: Mapping[str, str] = os.environ) -> SpanLimits:
    """OpenTelemetry's limits, with lengths from the variables or the default.

    The lengths are read here rather than by the SDK, which takes an empty value for
    no limit at all; a value that is not a whole number stops the start.
    """
    every, spans = (_length(environ, name) for name in LENGTH_LIMIT_VARIABLES)
    every = ATTRIBUTE_LENGTH_LIMIT if every is None else every
    return SpanLimits(
        max_attribute_length=every,
        max_span_attribute_length=every if spans is None else spans,
    )


def _length(environ: Mapping[str, str], name: str) -> int | None:
    value = environ.get(name, "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        msg = f"{name} must be a whole number of characters, not {value!r}"
        raise ValueError(msg)
    return int(value)


def serve_traces_from(provider: trace.TracerProvider) -> None:
    """Make `provider` the process's own, unless it has one (it can be set only once).

    Spans made with `trace.get_tracer(...)` (yours, Redis's, the task queue's) then
    join the request's trace and leave with its spans.
    """
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        trace.set_tracer_provider(provider)


@contextmanager
def child_span(name: str, **attributes: str) -> Iterator[None]:
    """A client span for a call to another service, only inside a traced request.

    Outside one (startup, the probes, tracing off) it costs one lookup and makes no
    orphan span. An exception leaving the block marks the span as an error.
    """
    if not trace.get_current_span().is_recording():
        yield
        return
    tracer = trace.get_tracer(TRACER_NAME)
    with tracer.start_as_current_span(
        name,
        kind=trace.SpanKind.CLIENT,
        attributes=attributes,
    ):
        yield


def _untraced(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") in UNTRACED_PATHS


def telemetry_config(provider: trace.TracerProvider | None) -> TelemetryConfig:
    """FastAPI's telemetry settings: traces to `provider` if any, never the probes.

    No span per dependency, endpoint and serialization step: they added about 40 %
    to the CPU time tracing costs a request, for detail its statements mostly give.
    """
    return {
        # Off without a provider of the app's own, even if the process has one.
        "tracing": provider is not None,
        "tracer_provider": provider,
        "operation_spans": False,
        "exclude": _untraced,
    }


def trace_statements(engine: AsyncEngine, provider: trace.TracerProvider) -> None:
    """A span for every statement `engine` runs inside a traced request, its child.

    SQLAlchemy's events, per engine: the contrib instrumentation patches SQLAlchemy
    for the whole process and instruments once, where tests build many apps.
    """
    tracer = provider.get_tracer(TRACER_NAME)
    system = engine.dialect.name

    @event.listens_for(engine.sync_engine, "before_cursor_execute", named=True)
    def start(**event_args: Any) -> None:
        if not trace.get_current_span().is_recording():
            return  # outside a traced request (the probes, startup): no orphan spans
        statement: str = event_args["statement"]
        words = statement.split(maxsplit=1)
        operation = words[0].upper() if words else "SQL"
        span = tracer.start_span(
            f"{operation} {system}",
            kind=trace.SpanKind.CLIENT,
            attributes={"db.system.name": system, "db.query.text": statement},
        )
        event_args["context"]._otel_span = span

    @event.listens_for(engine.sync_engine, "after_cursor_execute", named=True)
    def end(**event_args: Any) -> None:
        span = getattr(event_args["context"], "_otel_span", None)
        if span is not None:
            span.end()

    @event.listens_for(engine.sync_engine, "handle_error")
    def failed(exception_context: ExceptionContext) -> None:
        span = getattr(exception_context.execution_context, "_otel_span", None)
        if span is not None:
            span.record_exception(exception_context.original_exception)
            span.set_status(trace.StatusCode.ERROR)
            span.end()
