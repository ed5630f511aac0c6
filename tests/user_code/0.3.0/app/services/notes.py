"""Notes: each user sees their own, oldest first."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import User
from app.models.note import Note
from app.schemas.note import NoteCreate
from app.services.pagination import PagedQuery, fetch_page

# Lists read table rows (see the pagination module).
NOTES = inspect(Note).local_table
_LIST = PagedQuery.of(
    select(NOTES).where(NOTES.c.owner_id == bindparam("owner_id")).order_by(NOTES.c.id),
)


async def create(session: AsyncSession, *, owner: User, data: NoteCreate) -> Note:
    """Create a note owned by `owner`."""
    note = Note(body=data.body, owner_id=owner.id)
    session.add(note)
    await session.flush()
    return note


async def list(
    session: AsyncSession,
    *,
    user: User,
    limit: int,
    offset: int,
) -> tuple[Sequence[Row[Any]], int]:
    """Return one page of the user's note rows and the total."""
    return await fetch_page(
        session,
        _LIST,
        {"owner_id": user.id},
        limit=limit,
        offset=offset,
    )
