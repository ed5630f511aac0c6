"""Text a database cannot store (NUL, lone surrogates) is a 422 on every database."""

import json
from collections.abc import MutableMapping
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

NUL = "nul\x00byte"
JSON = {"Content-Type": "application/json"}
NEW_USER = {"email": "nul@example.com", "password": "long-enough-password"}
LOGIN_FORM = {"username": "nul\x00@example.com", "password": "long-enough-password"}

# (route, method, request, signed in, where the error points)
CASES: dict[str, tuple[str, str, dict[str, Any], bool, list[str]]] = {
    "register full_name": (
        "auth:register",
        "POST",
        {"json": {**NEW_USER, "full_name": NUL}},
        False,
        ["body", "full_name"],
    ),
    "login username in a form": (
        "auth:login",
        "POST",
        {"data": LOGIN_FORM},
        False,
        ["body", "username"],
    ),
    "login username in a multipart form": (
        "auth:login",
        "POST",
        {"data": LOGIN_FORM, "files": {"attachment": ("a.txt", b"\x00 binary")}},
        False,
        ["body", "username"],
    ),
    "item title": (
        "items:create",
        "POST",
        {"json": {"title": NUL}},
        True,
        ["body", "title"],
    ),
    "item title with a lone surrogate escape": (
        "items:create",
        "POST",
        {"content": b'{"title": "x\\ud800"}', "headers": JSON},
        True,
        ["body", "title"],
    ),
    "item title with a surrogate encoded in UTF-8": (
        "items:create",
        "POST",
        {"content": b'{"title": "x\xed\xa0\x80"}', "headers": JSON},
        True,
        ["body", "title"],
    ),
    "a JSON key": (
        "items:create",
        "POST",
        {"json": {"title": "fine", "\x00": 1}},
        True,
        ["body", "\x00"],
    ),
    "list filter q": (
        "items:list",
        "GET",
        {"params": {"q": NUL}},
        True,
        ["query", "q"],
    ),
}


@pytest.mark.parametrize("case", CASES)
async def test_unstorable_text_is_a_422(
    app: FastAPI,
    client: AsyncClient,
    user_headers: dict[str, str],
    case: str,
) -> None:
    route, method, arguments, signed_in, loc = CASES[case]
    request = dict(arguments)
    headers = {**request.pop("headers", {}), **(user_headers if signed_in else {})}
    response = await client.request(
        method,
        app.url_path_for(route),
        headers=headers,
        **request,
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"] == [
        {"loc": loc, "msg": error["details"][0]["msg"], "type": "unstorable_text"}
    ]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        # A surrogate pair is one character (an emoji), not a lone surrogate.
        (b'{"title": "\\ud83d\\ude00"}', "\U0001f600"),
        # An escaped backslash: the text is the six characters \u0000, not a NUL.
        (json.dumps({"title": "\\u0000"}).encode(), "\\u0000"),
    ],
)
async def test_text_that_only_looks_unstorable_is_kept(
    app: FastAPI,
    client: AsyncClient,
    user_headers: dict[str, str],
    raw: bytes,
    stored: str,
) -> None:
    response = await client.post(
        app.url_path_for("items:create"),
        content=raw,
        headers={**JSON, **user_headers},
    )
    assert response.status_code == 201, response.text
    assert response.json()["title"] == stored


async def test_a_body_that_is_not_json_is_left_to_the_route(
    app: FastAPI,
    client: AsyncClient,
    user_headers: dict[str, str],
) -> None:
    # The list takes no body, so it ignores this one, escape-like text and all.
    response = await client.request(
        "GET",
        app.url_path_for("items:list"),
        content=b"not JSON \\u0000",
        headers=user_headers,
    )
    assert response.status_code == 200, response.text


# JSON may come in UTF-16 or UTF-32 (the parser detects them, with a byte order mark
# or without): the NUL escape is then not in the bytes as the UTF-8 pattern.
ENCODINGS = {
    "UTF-16LE": ("utf-16-le", b""),
    "UTF-16BE": ("utf-16-be", b""),
    "UTF-16LE with BOM": ("utf-16-le", b"\xff\xfe"),
    "UTF-16BE with BOM": ("utf-16-be", b"\xfe\xff"),
    "UTF-32LE": ("utf-32-le", b""),
    "UTF-32BE": ("utf-32-be", b""),
    "UTF-32LE with BOM": ("utf-32-le", b"\xff\xfe\x00\x00"),
    "UTF-32BE with BOM": ("utf-32-be", b"\x00\x00\xfe\xff"),
}


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_unstorable_text_is_a_422_in_any_json_encoding(
    app: FastAPI, client: AsyncClient, encoding: str
) -> None:
    codec, bom = ENCODINGS[encoding]
    document = json.dumps({**NEW_USER, "full_name": NUL})
    assert "\\u0000" in document
    response = await client.post(
        app.url_path_for("auth:register"),
        content=bom + document.encode(codec),
        headers=JSON,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"] == [
        {
            "loc": ["body", "full_name"],
            "msg": response.json()["error"]["details"][0]["msg"],
            "type": "unstorable_text",
        }
    ]


async def test_a_json_body_named_almost_like_a_form_is_checked(
    app: FastAPI, client: AsyncClient
) -> None:
    """A media type that only starts like a form's is parsed as JSON (`+json`), so it
    is checked as JSON, not skipped as an empty form."""
    response = await client.post(
        app.url_path_for("auth:register"),
        content=json.dumps({**NEW_USER, "full_name": NUL}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded+json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["type"] == "unstorable_text"


@pytest.mark.parametrize("route", ["auth:login", "auth:register"])
async def test_a_client_gone_before_sending_its_whole_body_is_a_400_not_a_500(
    app: FastAPI, route: str
) -> None:
    """Content-Length promised more than the client sent before it disconnected."""
    sent: list[MutableMapping[str, Any]] = []
    messages: list[MutableMapping[str, Any]] = [
        {"type": "http.request", "body": b'{"email": "a', "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> MutableMapping[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": app.url_path_for(route),
        "raw_path": app.url_path_for(route).encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", b"100"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    await app(scope, receive, send)
    (start,) = [message for message in sent if message["type"] == "http.response.start"]
    assert start["status"] == 400
