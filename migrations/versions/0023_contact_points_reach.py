"""the figures count each channel's reach per area: a covering index on each target's numbers,
read in order with no sort and no row looked up

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ["target_id", "whatsapp_consent_at", "whatsapp_user", "sms_stopped_at"]


def upgrade() -> None:
    op.create_index("ix_contact_points_reach", "contact_points", _COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_contact_points_reach", table_name="contact_points")
