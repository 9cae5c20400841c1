"""NIKs at rest (a keyed hash and a sealed copy instead of the NIK in clear); attendance and
parent codes apart from the invitation code

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 06:00:00

Existing NIKs are hashed and sealed with DATA_KEY (it must be set when any target exists).
"""

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("targets") as batch:
        batch.add_column(sa.Column("nik_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("nik_sealed", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("attend_code", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("parent_code", sa.String(length=16), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, nik FROM targets")).all()
    if rows:
        from bot.db.vault import Vault
        from bot.domain.codes import new_code

        key = os.environ.get("DATA_KEY")
        if not key:
            raise RuntimeError("DATA_KEY must be set to move the existing NIKs out of clear text")
        vault = Vault(key)
        codes: set[str] = set()
        while len(codes) < len(rows):
            codes.add(new_code())
        connection.execute(
            sa.text(
                "UPDATE targets SET nik_hash = :h, nik_sealed = :s, attend_code = :c WHERE id = :id"
            ),
            [
                {"h": vault.hash(nik), "s": vault.seal(nik), "c": code, "id": id_}
                for (id_, nik), code in zip(rows, codes, strict=True)
            ],
        )
    with op.batch_alter_table("targets") as batch:
        batch.drop_constraint("uq_targets_nik", type_="unique")
        batch.drop_column("nik")
        batch.alter_column("nik_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("nik_sealed", existing_type=sa.String(length=120), nullable=False)
        batch.alter_column("attend_code", existing_type=sa.String(length=16), nullable=False)
        batch.create_unique_constraint("uq_targets_nik_hash", ["nik_hash"])
        batch.create_unique_constraint("uq_targets_attend_code", ["attend_code"])
        batch.create_unique_constraint("uq_targets_parent_code", ["parent_code"])


def downgrade() -> None:
    raise NotImplementedError("NIKs are not put back in clear text")
