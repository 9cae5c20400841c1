"""session codes: a re-imported session moves instead of being added twice

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 06:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("service_sessions") as batch:
        batch.add_column(sa.Column("code", sa.String(length=32), nullable=True))
        batch.create_unique_constraint("uq_service_sessions_code", ["code"])


def downgrade() -> None:
    with op.batch_alter_table("service_sessions") as batch:
        batch.drop_constraint("uq_service_sessions_code", type_="unique")
        batch.drop_column("code")
