"""Notes: each user sees their own, oldest first."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import User
from app.models.note import Note
from app.schemas.note import NoteCreate
from app.services.pagination import fetch_page


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
    statement = select(Note).where(Note.owner_id == user.id).order_by(Note.id)
    return await fetch_page(session, statement, limit=limit, offset=offset)
