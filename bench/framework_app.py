"""The framework floor: the least the generated app's stack costs for the same work.

FastAPI, Pydantic and SQLAlchemy's async ORM on asyncpg, as the generated app uses
them, with nothing of the template: a bearer check against one constant token (a
dependency), the same list statement (page plus total in one query, built once) read
as rows into a response model, and the same create (an ORM object added and flushed,
committed by a yield dependency before the response). No middleware, no error
handlers, no user lookup, no text or body checks, no ETag. The generated app's
figures over these are what the template adds; the floor (`floor_app.py`) shows what
the framework adds.

    DATABASE_URL=postgresql+asyncpg://... FLOOR_TOKEN=... FLOOR_OWNER_ID=... \\
        uvicorn framework_app:app
"""

from __future__ import annotations

import hmac
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import DateTime, String, Text, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TOKEN = "Bearer " + os.environ["FLOOR_TOKEN"]
OWNER_ID = int(os.environ["FLOOR_OWNER_ID"])


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Item(Base):
    """The generated app's items table, as far as these endpoints use it."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


ITEMS = Item.__table__
LIST = (
    select(ITEMS, func.count().over().label("total"))
    .where(ITEMS.c.deleted_at.is_(None), ITEMS.c.owner_id == bindparam("owner_id"))
    .order_by(ITEMS.c.created_at.desc(), ITEMS.c.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)

engine = create_async_engine(os.environ["DATABASE_URL"], pool_size=15, max_overflow=0)
sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session
        await session.commit()


async def authenticated(authorization: Annotated[str, Header()] = "") -> None:
    if not hmac.compare_digest(authorization, TOKEN):
        raise HTTPException(401)


Session = Annotated[AsyncSession, Depends(get_session, scope="function")]


class ItemCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)


class ItemPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str | None
    owner_id: int
    created_at: datetime
    updated_at: datetime


class ItemPage(BaseModel):
    items: list[ItemPublic]
    total: int
    limit: int
    offset: int


app = FastAPI(dependencies=[Depends(authenticated)])


@app.get("/api/v1/items", response_model=ItemPage)
async def list_items(session: Session, limit: int = 20, offset: int = 0) -> Any:
    values = {"owner_id": OWNER_ID, "limit": limit, "offset": offset}
    rows = (await session.execute(LIST, values)).all()
    total = rows[0].total if rows else 0
    return ItemPage.model_validate(
        {"items": rows, "total": total, "limit": limit, "offset": offset},
        from_attributes=True,
    )


@app.post("/api/v1/items", response_model=ItemPublic, status_code=201)
async def create_item(session: Session, data: ItemCreate) -> Any:
    item = Item(**data.model_dump(), owner_id=OWNER_ID)
    session.add(item)
    await session.flush()
    return ItemPublic.model_validate(item)
