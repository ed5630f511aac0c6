"""Paged list queries: built once per shape; page and total in one round trip."""

from dataclasses import dataclass
from typing import Any, Self

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class PagedQuery:
    """A list statement with its total as a window count and paging as bound values.

    Build one per query shape at import time or under a cache: building and hashing
    a statement costs more than running it, so requests only bind values.
    """

    page: Select[Any]
    count: Select[Any]

    @classmethod
    def of(cls, statement: Select[Any]) -> Self:
        """Wrap an ordered list statement whose first column is the entity."""
        page = (
            statement.add_columns(func.count().over().label("total"))
            .limit(bindparam("limit"))
            .offset(bindparam("offset"))
        )
        count = select(func.count()).select_from(statement.order_by(None).subquery())
        return cls(page=page, count=count)


async def fetch_page(
    session: AsyncSession,
    query: PagedQuery,
    values: dict[str, Any],
    *,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """Return one page of entities and the count of all matches.

    Only a page past the end needs a second query to know the total.
    """
    paging = {**values, "limit": limit, "offset": offset}
    rows = (await session.execute(query.page, paging)).all()
    if rows:
        return [row[0] for row in rows], int(rows[0].total)
    if offset == 0:
        return [], 0
    return [], int(await session.scalar(query.count, values) or 0)
