"""Refuse request text that a database cannot store: NUL and unpaired surrogates.

PostgreSQL refuses U+0000 in text, and no driver can encode a lone UTF-16 surrogate
(`"\\ud800"` in JSON) as UTF-8: either fails deep inside a query, as a 500. The check
is one dependency of the whole application rather than a string type on each schema
field and parameter: it sees every path and query parameter, form field and JSON
string (keys too) of every route, the ones added later included, whatever their types
say, and it runs before the route's own dependencies reach the database. The answer
is the same 422 on every database.
"""

import json
import re
from collections import deque
from collections.abc import Iterable
from typing import Any

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from starlette.requests import ClientDisconnect

Location = tuple[str | int, ...]

MESSAGE = "Text may not contain NUL (U+0000) or unpaired surrogate characters."
# U+0000, and the surrogate code points, which are never text on their own (a paired
# escape such as "\ud83d\ude00" decodes to one character outside this range).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# How such characters can appear in a JSON body: as escapes, or as surrogates encoded
# in UTF-8, which Python's JSON decoder lets through (a raw NUL is invalid JSON). A
# body with none of them is not decoded a second time.
_IN_RAW_JSON = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])|\xed[\xa0-\xbf]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Enough places to show what is wrong: a body of a million NULs gets these, not an
# answer of megabytes built on the event loop.
MAX_REPORTED = 20


async def refuse_unstorable_text(request: Request) -> None:
    """Answer 422 when a parameter, form field or JSON string holds unstorable text."""
    found = [
        *_in_fields("path", request.path_params.items()),
        *_in_fields("query", request.query_params.multi_items()),
    ]
    # The media type exactly, as the form parser reads it: a prefix would let
    # `application/x-www-form-urlencoded+json` (parsed as JSON) pass unchecked.
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    # A route that takes no body never reads one: there is nothing to check there.
    takes_body = getattr(request.scope.get("route"), "body_field", None) is not None
    try:
        if takes_body and media_type in _FORM_TYPES:
            # Already parsed by FastAPI for a form route; the request keeps it.
            found += _in_fields("body", (await request.form()).multi_items())
        elif takes_body:
            body = await request.body()
            # JSON in UTF-16 or UTF-32, which the parser accepts, hides its escapes
            # from the byte pattern; its first four bytes hold a zero byte (JSON
            # starts with an ASCII character), which a UTF-8 document never has there.
            if _IN_RAW_JSON.search(body) or b"\x00" in body[:4]:
                found += _in_json(body)
    except ClientDisconnect:
        # The client left before sending its body: a 400, as FastAPI answers when it
        # reads the body itself, not a 500 of the server's.
        raise HTTPException(400, "The request body was not received in full.") from None
    if found:
        raise RequestValidationError(
            [
                {"type": "unstorable_text", "loc": loc, "msg": MESSAGE, "input": None}
                for loc in found[:MAX_REPORTED]
            ]
        )


def _unstorable(value: object) -> bool:
    return isinstance(value, str) and _UNSTORABLE.search(value) is not None


def _printable(name: str) -> str:
    """A name fit for the error's `loc`: a surrogate is shown as its escape."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _in_fields(where: str, fields: Iterable[tuple[str, Any]]) -> list[Location]:
    """The locations of the named fields whose name or text value is unstorable."""
    return [
        (where, _printable(name))
        for name, value in fields
        if _unstorable(name) or _unstorable(value)
    ]


def _in_json(body: bytes) -> list[Location]:
    """The locations of the first `MAX_REPORTED` unstorable keys and strings."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):  # not JSON: the route's validation answers
        return []
    found: list[Location] = []
    # Breadth first with a queue, not recursion: a deeply nested body cannot exhaust
    # the stack. Each value keeps a link to its parent's place, not a copy of it: a
    # location is spelled out only for what is reported.
    pending: deque[tuple[_Place, Any]] = deque([(("body", None), document)])
    while pending and len(found) < MAX_REPORTED:
        place, value = pending.popleft()
        if _unstorable(value):
            found.append(_location(place))
        elif isinstance(value, dict):
            for key, item in value.items():
                here = (_printable(key), place)
                if _unstorable(key):
                    found.append(_location(here))
                pending.append((here, item))
        elif isinstance(value, list):
            pending.extend(((index, place), item) for index, item in enumerate(value))
    return found


# A place in a document: its key or index, and its parent's place (None at the top).
_Place = tuple[str | int, Any]


def _location(place: _Place | None) -> Location:
    """The whole location of a place, from the top of the document."""
    parts: list[str | int] = []
    while place is not None:
        parts.append(place[0])
        place = place[1]
    return tuple(reversed(parts))
