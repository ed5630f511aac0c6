"""One page of a query and the total count, in one round trip."""

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession


async def fetch_page(
    session: AsyncSession,
    statement: Select[Any],
    *,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """Return one page of `statement`'s first column and the count of all matches.

    The count rides along as a window function; only a page past the end needs a
    second query to know the total.
    """
    counted = statement.add_columns(func.count().over().label("total"))
    rows = (await session.execute(counted.limit(limit).offset(offset))).all()
    if rows:
        return [row[0] for row in rows], int(rows[0].total)
    if offset == 0:
        return [], 0
    count = select(func.count()).select_from(statement.order_by(None).subquery())
    return [], int(await session.scalar(count) or 0)
