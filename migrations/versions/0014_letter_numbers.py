"""letter numbers: the running number of each printed summons letter, never handed out twice

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 10:34:18
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "letter_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("summons_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["service_sessions.id"],
            name=op.f("fk_letter_numbers_session_id_service_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["summons_id"],
            ["summonses.id"],
            name=op.f("fk_letter_numbers_summons_id_summonses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_numbers")),
        sa.UniqueConstraint("summons_id", "session_id", name=op.f("uq_letter_numbers_summons_id")),
        # The id is the letter's number: SQLite must never hand out a deleted row's id again.
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_letter_numbers_session_id"), "letter_numbers", ["session_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_letter_numbers_session_id"), table_name="letter_numbers")
    op.drop_table("letter_numbers")
