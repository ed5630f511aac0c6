"""Column types shared by the models, and the API types of decimal and date columns."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from annotated_types import Interval
from pydantic import AwareDatetime, BeforeValidator, Field, WithJsonSchema
from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# Primary keys are 32-bit integers (INTEGER on PostgreSQL); larger numbers never
# reach the database.
MAX_ID = 2_147_483_647
# PostgreSQL's type OID of `timestamp with time zone`, as result columns report it.
TIMESTAMPTZ_OID = 1184


def utc_now() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp that reads back aware on every database.

    SQLite has no time zone type and returns naive values; they are stored in UTC,
    so the zone is restored on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self,
        value: datetime | None,
        dialect: Dialect,
    ) -> datetime | None:
        if value is not None and value.tzinfo is None:
            msg = "naive datetime given for a timezone-aware column"
            raise ValueError(msg)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,
    ) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    def result_processor(
        self,
        dialect: Dialect,
        coltype: Any,
    ) -> Callable[[Any], datetime | None] | None:
        # A PostgreSQL `timestamptz` arrives aware: no call per value for those (a
        # list page has three timestamps a row). Any other column still gets the zone.
        if dialect.name == "postgresql" and coltype == TIMESTAMPTZ_OID:
            return self.impl_instance.result_processor(dialect, coltype)
        return super().result_processor(dialect, coltype)


# A NUMERIC(12, 2) value: up to ten digits before the point and two after.
DECIMAL_PATTERN = r"^-?\d{1,10}(\.\d{1,2})?$"


def _decimal_text(value: object) -> object:
    """Take a decimal as the string the OpenAPI shows, never as a JSON number.

    A JSON number is a float on the way in and may have lost digits already; a
    string outside the pattern would be rounded or refused by the column.
    """
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str) or not re.fullmatch(DECIMAL_PATTERN, value):
        msg = 'a decimal is a string of up to 10 digits and 2 decimals, e.g. "12.50"'
        raise ValueError(msg)
    return value


DecimalText = Annotated[
    Decimal,
    BeforeValidator(_decimal_text),
    Field(max_digits=12, decimal_places=2),
    WithJsonSchema({"type": "string", "pattern": DECIMAL_PATTERN}),
]


def _iso_text(value: object) -> object:
    """Take a date or time as the ISO 8601 string the OpenAPI shows, not a number."""
    if isinstance(value, str | date):
        return value
    msg = 'a date or time is an ISO 8601 string, e.g. "2026-01-02T03:04:05Z"'
    raise ValueError(msg)


IsoDate = Annotated[date, BeforeValidator(_iso_text)]
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_text)]


def _json_number(value: object) -> object:
    """Take a number as JSON has it: true and false are not numbers, nor is text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = "a whole number is expected"
        raise ValueError(msg)
    return value


# An INTEGER column's range on both databases; the schema is spelled out, as SQLModel
# does not turn the bounds into `minimum` and `maximum` itself.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
Int32 = Annotated[
    int,
    BeforeValidator(_json_number),
    Interval(ge=INT32_MIN, le=INT32_MAX),
    WithJsonSchema({"type": "integer", "minimum": INT32_MIN, "maximum": INT32_MAX}),
]
