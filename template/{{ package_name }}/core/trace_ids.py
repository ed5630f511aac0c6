"""Trace and span IDs on log records, so a JSON log line joins its OpenTelemetry trace.

The IDs are taken when a record is made (in the request's context), not when it is
formatted, and only while a valid span is current: no zeros that would join
unrelated lines. `JsonFormatter` writes them with the record's other extra fields.
"""

import logging
from typing import Any

from opentelemetry import trace


def install_trace_ids() -> None:
    """Make every log record from now on carry the current span's IDs, if any."""
    make_record = logging.getLogRecordFactory()
    if make_record.__name__ == "record_with_trace_ids":
        return  # installed already (one app per process, or several in tests)

    def record_with_trace_ids(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            record.trace_id = format(span.trace_id, "032x")
            record.span_id = format(span.span_id, "016x")
        return record

    logging.setLogRecordFactory(record_with_trace_ids)
