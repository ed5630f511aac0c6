"""Note schemas."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import ORMModel, PageMeta


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


class NoteListParams(BaseModel):
    """Paging of the user's notes."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0)
