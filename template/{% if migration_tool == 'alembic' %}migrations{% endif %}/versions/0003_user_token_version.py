"""Users: a token version, and IDs that are never given again.

Revision ID: 0003
Revises: 0001

Every token carries the user's `token_version`; raising it revokes the earlier ones.
On SQLite the table is rebuilt with AUTOINCREMENT, so a deleted user's ID (and with
it their tokens) never passes to the next user; PostgreSQL's sequences never hand out
a value twice, so there only the column is added.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0003"
# It follows 0001 whatever the answers, so turning an option's migrations on (0002,
# exports) later adds a branch instead of rewriting this one's parent; upgrades apply
# every head.
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


@contextmanager
def _rebuilding_sqlite_users(*, autoincrement: bool) -> Iterator[BatchOperations]:
    """Rebuild users on SQLite without losing the rows that reference them.

    SQLite rebuilds a table by copying it and dropping the old one; with foreign keys
    on, that drop would cascade to every item. The pragma changes only outside a
    transaction, so the migrations before this one are committed first, and the
    rebuild is committed once the references are checked.
    """
    context = op.get_context()
    with context.autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table(
        "users",
        recreate="always",
        table_kwargs={"sqlite_autoincrement": autoincrement},
    ) as batch:
        yield batch
    if not context.as_sql:
        broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            msg = f"rows reference missing users after the rebuild: {broken}"
            raise RuntimeError(msg)
    with context.autocommit_block():
        op.execute("PRAGMA foreign_keys=ON")


def _sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def _token_version() -> sa.Column[int]:
    return sa.Column(
        "token_version",
        sa.Integer(),
        server_default=sa.text("0"),
        nullable=False,
    )


def upgrade() -> None:
    if not _sqlite():
        op.add_column("users", _token_version())
        return
    with _rebuilding_sqlite_users(autoincrement=True) as batch:
        batch.add_column(_token_version())


def downgrade() -> None:
    if not _sqlite():
        op.drop_column("users", "token_version")
        return
    with _rebuilding_sqlite_users(autoincrement=False) as batch:
        batch.drop_column("token_version")
