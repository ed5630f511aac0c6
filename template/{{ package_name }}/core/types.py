"""Column types shared by the models, and the API types of the fields' values.

Each API type says in its JSON schema exactly what it accepts, so a client (or the
contract fuzzing) that keeps to the schema is never refused.
"""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from annotated_types import Interval
from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    EmailStr,
    Field,
    WithJsonSchema,
)
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


# The same, at least 0; and above 0 (no lookahead: every schema tool reads it).
NON_NEGATIVE_DECIMAL_PATTERN = r"^\d{1,10}(\.\d{1,2})?$"
POSITIVE_DECIMAL_PATTERN = r"^([1-9]\d{0,9}(\.\d{1,2})?|0{1,10}\.(0[1-9]|[1-9]\d?))$"


def _decimal_text(pattern: str, rule: str) -> Callable[[object], object]:
    """A check that takes a decimal as the string the OpenAPI shows, never a number.

    A JSON number is a float on the way in and may have lost digits already; a
    string outside `pattern` would be rounded or refused by the column.
    """
    message = f'a decimal{rule} is a string like "12.50": up to 10 digits, 2 decimals'

    def check(value: object) -> object:
        if isinstance(value, Decimal):
            return value
        if not isinstance(value, str) or not re.fullmatch(pattern, value):
            raise ValueError(message)
        return value

    return check


DecimalText = Annotated[
    Decimal,
    BeforeValidator(_decimal_text(DECIMAL_PATTERN, "")),
    Field(max_digits=12, decimal_places=2),
    WithJsonSchema({"type": "string", "pattern": DECIMAL_PATTERN}),
]
NonNegativeDecimalText = Annotated[
    Decimal,
    BeforeValidator(_decimal_text(NON_NEGATIVE_DECIMAL_PATTERN, " of at least 0")),
    Field(max_digits=12, decimal_places=2),
    WithJsonSchema({"type": "string", "pattern": NON_NEGATIVE_DECIMAL_PATTERN}),
]
PositiveDecimalText = Annotated[
    Decimal,
    BeforeValidator(_decimal_text(POSITIVE_DECIMAL_PATTERN, " above 0")),
    Field(max_digits=12, decimal_places=2),
    WithJsonSchema({"type": "string", "pattern": POSITIVE_DECIMAL_PATTERN}),
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
NonNegativeInt32 = Annotated[
    int,
    BeforeValidator(_json_number),
    Interval(ge=0, le=INT32_MAX),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": INT32_MAX}),
]
PositiveInt32 = Annotated[
    int,
    BeforeValidator(_json_number),
    Interval(ge=1, le=INT32_MAX),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": INT32_MAX}),
]

# Addresses at special-use domains (host.test, host.local) never receive mail:
# EmailStr refuses them, and the pattern says so in the OpenAPI, in any letter case.
_SPECIAL_USE = "|".join(
    "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in name)
    for name in SPECIAL_USE_DOMAIN_NAMES
)
EMAIL_PATTERN = f"^(?!.*[.@](?:{_SPECIAL_USE})$)"
EMAIL_MAX_LENGTH = 320
EmailAddress = Annotated[
    EmailStr,
    Field(max_length=EMAIL_MAX_LENGTH),
    WithJsonSchema(
        {
            "type": "string",
            "format": "email",
            "maxLength": EMAIL_MAX_LENGTH,
            "pattern": EMAIL_PATTERN,
        },
    ),
]

# RFC 5321 caps the part before the @ at 64 octets, and mail servers refuse longer:
# an account at such an address could never receive mail. email-validator checks it
# only in its strict mode. Counted in characters of the address as sent, as the
# pattern counts them (normalizing can change the count).
LOCAL_PART_MAX_LENGTH = 64
LOCAL_PART_RULE = f"at most {LOCAL_PART_MAX_LENGTH} characters before the @"
SIGN_UP_EMAIL_PATTERN = f"^(?![^@]{{{LOCAL_PART_MAX_LENGTH + 1}}})" + EMAIL_PATTERN[1:]
_LONG_LOCAL_PART = re.compile(f"[^@]{{{LOCAL_PART_MAX_LENGTH + 1}}}")


def _local_part_fits(value: Any) -> Any:
    if isinstance(value, str) and _LONG_LOCAL_PART.match(value):
        raise ValueError(LOCAL_PART_RULE)
    return value


# An address a new account signs up with: the stored ones are not checked again, so
# an account from before this rule still signs in and shows.
SignUpEmail = Annotated[
    EmailStr,
    Field(max_length=EMAIL_MAX_LENGTH),
    BeforeValidator(_local_part_fits),
    WithJsonSchema(
        {
            "type": "string",
            "format": "email",
            "maxLength": EMAIL_MAX_LENGTH,
            "pattern": SIGN_UP_EMAIL_PATTERN,
        },
    ),
]

# Characters that hide text or change how the text around them reads: controls, the
# soft hyphen, line and paragraph separators, bidi embeddings, overrides, isolates
# and the Arabic letter mark (which can make one name read as another), zero-width
# spaces, invisible operators, deprecated format characters, the byte order mark and
# interlinear annotations. ZWNJ, ZWJ and the direction marks (U+200C to U+200F) stay:
# Persian and Indic names and emoji need them.
HIDDEN_CHARACTERS = (
    r"\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b"  # by code point, as regex escapes
    r"\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
)
_HIDDEN = re.compile(f"[{HIDDEN_CHARACTERS}]")


def _shown_as_written(value: str) -> str:
    if _HIDDEN.search(value):
        msg = "text may not hold control, bidi-override or zero-width characters"
        raise ValueError(msg)
    return value


# A name people read (a user's full name): shown as written, at most 255 characters.
# The pattern looks ahead over any character, line breaks included (`$` would match
# before a final one).
PersonName = Annotated[
    str,
    Field(
        max_length=255,
        json_schema_extra={"pattern": rf"^(?![\s\S]*[{HIDDEN_CHARACTERS}])"},
    ),
    AfterValidator(_shown_as_written),
]

# An ISO 4217 currency code ("EUR"): three capital letters; which codes exist is the
# project's rule to add, if it needs one.
CURRENCY_PATTERN = r"^[A-Z]{3}$"
CurrencyCode = Annotated[str, Field(pattern=CURRENCY_PATTERN)]
