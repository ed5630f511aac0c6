"""Probes, request IDs and security headers."""

from fastapi import FastAPI
from httpx import AsyncClient


async def test_health_answers_ok(app: FastAPI, client: AsyncClient) -> None:
    response = await client.get(app.url_path_for("health:live"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_reports_each_configured_dependency(
    app: FastAPI,
    client: AsyncClient,
) -> None:
    response = await client.get(app.url_path_for("health:ready"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert ("redis" in body["checks"]) == bool(app.state.settings.redis_url)
    assert set(body["checks"].values()) == {"ok"}


async def test_every_response_has_a_request_id(client: AsyncClient) -> None:
    first = await client.get("/health")
    second = await client.get("/health")
    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_a_plain_client_request_id_is_kept(client: AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


async def test_an_unsafe_client_request_id_is_replaced(client: AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "a b\tc"})
    assert response.headers["x-request-id"] != "a b\tc"


async def test_security_headers_are_set(client: AsyncClient) -> None:
    response = await client.get("/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


async def test_docs_are_served_without_the_api_csp(client: AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "content-security-policy" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
