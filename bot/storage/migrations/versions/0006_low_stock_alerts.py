"""low stock alerts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 16:37:22.526070
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Items listed before this revision: warned at the default level (2), nothing due yet.
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("low_stock_at", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "low_stock",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                nullable=False,
                server_default="ok",
            )
        )
    op.execute("UPDATE products SET low_stock_at = 2")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.alter_column("low_stock", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("low_stock")
        batch_op.drop_column("low_stock_at")
