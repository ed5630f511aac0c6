"""The floor: the least an authenticated, paged item list can cost here.

A bare ASGI app with an asyncpg pool, a constant-time bearer check and the same
list query (page plus total in one statement) the generated app runs. No framework,
no validation, no ORM: what is left is the database round trip and JSON.

    DATABASE_URL=postgresql://... FLOOR_TOKEN=... uvicorn floor_app:app
"""

from __future__ import annotations

import hmac
import json
import os
from typing import Any

import asyncpg

TOKEN = os.environ["FLOOR_TOKEN"].encode()
OWNER_ID = int(os.environ["FLOOR_OWNER_ID"])
LIST = (
    "SELECT id, title, description, owner_id, created_at, updated_at, "
    "count(*) OVER () AS total FROM items "
    "WHERE deleted_at IS NULL AND owner_id = $1 "
    "ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
)
pool: asyncpg.Pool | None = None


async def _send_json(send: Any, status: int, body: object) -> None:
    payload = json.dumps(body, default=str).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        },
    )
    await send({"type": "http.response.body", "body": payload})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global pool
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                pool = await asyncpg.create_pool(
                    os.environ["DATABASE_URL"], min_size=15, max_size=15
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                assert pool is not None
                await pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    headers = dict(scope["headers"])
    if not hmac.compare_digest(headers.get(b"authorization", b""), b"Bearer " + TOKEN):
        await _send_json(send, 401, {"error": {"code": "UNAUTHORIZED"}})
        return
    assert pool is not None
    rows = await pool.fetch(LIST, OWNER_ID, 20, 0)
    items = [{k: v for k, v in row.items() if k != "total"} for row in rows]
    total = rows[0]["total"] if rows else 0
    await _send_json(send, 200, {"items": items, "total": total, "limit": 20, "offset": 0})
