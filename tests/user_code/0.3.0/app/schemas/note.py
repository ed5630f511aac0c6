"""Note schemas."""

from datetime import datetime

from pydantic import BaseModel, Field

from app.schemas.common import ORMModel, PageMeta, PageParams


class NoteCreate(BaseModel):
    """Data for a new note."""

    body: str = Field(min_length=1, max_length=500)


class NotePublic(ORMModel):
    """A note as the API shows it."""

    id: int
    body: str
    owner_id: int
    created_at: datetime


class NotePage(PageMeta):
    """One page of notes."""

    items: list[NotePublic]


class NoteListParams(PageParams):
    """Paging of the user's notes."""
