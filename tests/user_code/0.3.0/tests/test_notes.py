"""Notes: the project's own resource, on the template's fixtures."""

from fastapi import FastAPI
from httpx import AsyncClient

from app.schemas.auth import Token
from tests.conftest import PASSWORD, MakeUser


async def test_a_user_pages_through_their_own_notes(
    app: FastAPI,
    client: AsyncClient,
    user_headers: dict[str, str],
    admin_headers: dict[str, str],
) -> None:
    for body, headers in (("first", user_headers), ("second", user_headers)):
        created = await client.post(
            app.url_path_for("notes:create"),
            json={"body": body},
            headers=headers,
        )
        assert created.status_code == 201, created.text
    await client.post(
        app.url_path_for("notes:create"),
        json={"body": "the admin's"},
        headers=admin_headers,
    )
    listed = await client.get(
        app.url_path_for("notes:list"),
        params={"limit": 1, "offset": 1},
        headers=user_headers,
    )
    assert listed.status_code == 200, listed.text
    assert listed.json()["total"] == 2
    assert [note["body"] for note in listed.json()["items"]] == ["second"]


async def test_a_login_token_reads_into_the_token_schema(
    app: FastAPI,
    client: AsyncClient,
    make_user: MakeUser,
) -> None:
    await make_user(email="notes@example.com")
    response = await client.post(
        app.url_path_for("auth:login"),
        data={"username": "notes@example.com", "password": PASSWORD},
    )
    assert response.status_code == 200, response.text
    assert Token.model_validate(response.json()).token_type == "bearer"
