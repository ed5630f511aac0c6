"""Schemas shared by every domain."""

from pydantic import BaseModel, ConfigDict


class PageMeta(BaseModel):
    """Where a page sits in a list: each page model adds its `items`."""

    total: int
    limit: int
    offset: int


class Health(BaseModel):
    """Liveness or readiness status."""

    status: str


class ORMModel(BaseModel):
    """Base of response models read from ORM objects."""

    model_config = ConfigDict(from_attributes=True)
