"""Notes: each user sees their own, oldest first."""

from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import User
from app.models.note import Note
from app.schemas.note import NoteCreate
from app.services.pagination import PagedQuery, fetch_page

_LIST = PagedQuery.of(
    select(Note).where(Note.owner_id == bindparam("owner_id")).order_by(Note.id),
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
) -> tuple[Sequence[Note], int]:
    """Return one page of the user's notes and the total."""
    return await fetch_page(
        session,
        _LIST,
        {"owner_id": user.id},
        limit=limit,
        offset=offset,
    )
