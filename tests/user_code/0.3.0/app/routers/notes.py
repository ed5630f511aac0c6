"""Notes: the signed-in user's own."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.core.errors import error_responses
from app.dependencies.auth import CurrentUser
from app.dependencies.database import DbSession
from app.schemas.note import NoteCreate, NoteListParams, NotePage, NotePublic
from app.services import notes

router = APIRouter(prefix="/notes", tags=["notes"])


@router.post(
    "",
    response_model=NotePublic,
    status_code=status.HTTP_201_CREATED,
    name="notes:create",
    responses=error_responses(401, 422),
)
async def create_note(
    session: DbSession,
    user: CurrentUser,
    data: NoteCreate,
) -> NotePublic:
    """Create a note owned by the signed-in user."""
    note = await notes.create(session, owner=user, data=data)
    return NotePublic.model_validate(note)


@router.get(
    "",
    response_model=NotePage,
    name="notes:list",
    responses=error_responses(401, 422),
)
async def list_notes(
    session: DbSession,
    user: CurrentUser,
    params: Annotated[NoteListParams, Query()],
) -> NotePage:
    """List the signed-in user's notes, oldest first."""
    found, total = await notes.list(
        session,
        user=user,
        limit=params.limit,
        offset=params.offset,
    )
    page = {"total": total, "limit": params.limit, "offset": params.offset}
    # One validation for the whole page; rows are read by attribute.
    return NotePage.model_validate({**page, "items": found})
