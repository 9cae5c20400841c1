"""home visits: a teen's request for staff to come to their home, and where it stands

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 06:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "home_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "requested",
                "scheduled",
                "done",
                name="homevisitstate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["targets.id"],
            name=op.f("fk_home_visits_target_id_targets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["service_sessions.id"],
            name=op.f("fk_home_visits_session_id_service_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_visits")),
        sa.UniqueConstraint("target_id", name=op.f("uq_home_visits_target_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_home_visits_state"), "home_visits", ["state"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_home_visits_state"), table_name="home_visits")
    op.drop_table("home_visits")
