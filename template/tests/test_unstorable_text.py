"""Text a database cannot store (NUL, lone surrogates) is a 422 on every database."""

import json
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
