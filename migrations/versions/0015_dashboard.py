"""dashboard: its one-time links and signed-in staff; targets by birth date (the desk's search); a broadcast form's one-time key

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_logins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_logins")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_logins_token_hash")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_web_logins_telegram_id"), "web_logins", ["telegram_id"])
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_web_sessions_telegram_id"), "web_sessions", ["telegram_id"])
    op.create_index(op.f("ix_targets_birth_date"), "targets", ["birth_date"])
    op.add_column("broadcasts", sa.Column("form_key", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_broadcasts_form_key"), "broadcasts", ["form_key"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_broadcasts_form_key"), table_name="broadcasts")
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("form_key")
    op.drop_index(op.f("ix_targets_birth_date"), table_name="targets")
    op.drop_index(op.f("ix_web_sessions_telegram_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_index(op.f("ix_web_logins_telegram_id"), table_name="web_logins")
    op.drop_table("web_logins")
