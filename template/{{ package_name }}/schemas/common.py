"""Schemas shared by every domain."""

from pydantic import BaseModel, ConfigDict, Field


class PageMeta(BaseModel):
    """Where a page sits in a list: each page model adds its `items`."""

    total: int
    limit: int
    offset: int


class PageParams(BaseModel):
    """Paging query parameters; unknown parameters are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0)


class Health(BaseModel):
    """Liveness or readiness status."""

    status: str


class ORMModel(BaseModel):
    """Base of response models read from ORM objects."""

    model_config = ConfigDict(from_attributes=True)
