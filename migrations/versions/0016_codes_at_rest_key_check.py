"""codes at rest (a keyed hash and a sealed copy instead of the code in clear); the database's
key check

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 09:00:00

The invitation, attendance and parent codes of every target, a code a refused guess was at
(the event log's `code:` subjects) and a code a conversation was waiting on are hashed and
sealed with DATA_KEY, which must then be set: the running program hands its key over
(bot/db/migrate.py), Alembic on its own reads DATA_KEY from the environment. The key must open
the NIKs already sealed in the database; the key check value is written with it.
"""

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5_000
_CODES = ("invite", "attend", "parent")

targets = sa.table(
    "targets",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("nik_sealed", sa.String),
    *(sa.column(f"{kind}_code", sa.String) for kind in _CODES),
    *(sa.column(f"{kind}_hash", sa.String) for kind in _CODES),
    *(sa.column(f"{kind}_sealed", sa.String) for kind in _CODES),
)
accounts = sa.table("accounts", sa.column("id", sa.Integer), sa.column("conversation", sa.JSON))
events = sa.table("events", sa.column("id", sa.BigInteger), sa.column("subject", sa.String))
key_check = sa.table(
    "key_check",
    sa.column("id", sa.Integer),
    sa.column("check_value", sa.String),
    sa.column("written_at", sa.DateTime(timezone=True)),
)


def _vault() -> Any:
    """The running program's vault, or one of DATA_KEY; None without either."""
    from bot.db.vault import Vault

    given = context.config.attributes.get("rekam_vault")
    if given is not None:
        return given
    key = os.environ.get("DATA_KEY")
    return Vault(key) if key else None


def _waiting_on_codes(connection: sa.Connection) -> list[tuple[int, dict[str, Any]]]:
    """Conversations waiting for a birth date after a code: the code is in them."""
    rows = connection.execute(
        sa.select(accounts.c.id, accounts.c.conversation).where(
            accounts.c.conversation.is_not(None)
        )
    ).all()
    return [(id_, c) for id_, c in rows if isinstance(c, dict) and "code" in c]


def _needs_key(connection: sa.Connection) -> bool:
    queries = (
        sa.select(targets.c.id).limit(1),
        sa.select(events.c.id).where(events.c.subject.like("code:%")).limit(1),
    )
    found = any(connection.execute(query).first() is not None for query in queries)
    return found or bool(_waiting_on_codes(connection))


def _check(connection: sa.Connection, vault: Any) -> None:
    """The key must be the one the NIKs were sealed with (it then becomes the database's)."""
    from bot.db.keys import WrongDataKeyError

    sealed = connection.execute(
        sa.select(targets.c.nik_sealed).where(targets.c.nik_sealed != "").limit(1)
    ).scalar()
    if sealed is not None:
        try:
            vault.open(sealed)
        except ValueError:
            raise WrongDataKeyError("DATA_KEY opens none of the NIKs sealed here") from None


def _targets(connection: sa.Connection, vault: Any) -> None:
    columns = [targets.c.id, targets.c.name, *(targets.c[f"{k}_code"] for k in _CODES)]
    last = 0
    while True:
        rows = connection.execute(
            sa.select(*columns).where(targets.c.id > last).order_by(targets.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return
        changed = []
        for id_, name, *codes in rows:
            values: dict[str, Any] = {"target_id": id_}
            for kind, code in zip(_CODES, codes, strict=True):
                if code is None or name == "":  # no parent code yet; or purged (placeholders)
                    hashed, sealed = (None, None) if code is None else (f"purged:{kind}{id_}", "")
                else:
                    hashed, sealed = vault.code_hash(code), vault.seal_code(code)
                values[f"{kind}_hash"], values[f"{kind}_sealed"] = hashed, sealed
            changed.append(values)
        connection.execute(
            sa.update(targets)
            .where(targets.c.id == sa.bindparam("target_id"))
            .values(
                {
                    f"{k}_{part}": sa.bindparam(f"{k}_{part}")
                    for k in _CODES
                    for part in ("hash", "sealed")
                }
            ),
            changed,
        )
        last = rows[-1][0]


def _subjects(connection: sa.Connection, vault: Any) -> None:
    """A refused guess at a code named the code: it is named by its keyed hash instead."""
    found = connection.execute(
        sa.select(events.c.subject).where(events.c.subject.like("code:%")).distinct()
    ).scalars()
    for subject in list(found):
        kept = "code:" + vault.code_hash(subject.removeprefix("code:"))[:40]
        connection.execute(
            sa.update(events).where(events.c.subject == subject).values(subject=kept)
        )


def _conversations(connection: sa.Connection, vault: Any) -> None:
    """A conversation waiting for a birth date after a code keeps the code sealed."""
    for id_, conversation in _waiting_on_codes(connection):
        kept = {k: v for k, v in conversation.items() if k != "code"}
        kept["code_sealed"] = vault.seal_code(str(conversation["code"]))
        connection.execute(
            sa.update(accounts).where(accounts.c.id == id_).values(conversation=kept)
        )


def upgrade() -> None:
    # The key is checked before anything changes: SQLite runs a CREATE TABLE outside the
    # migration's transaction, so a refusal after it would leave the schema half-way.
    connection = op.get_bind()
    vault = _vault()
    needs_key = _needs_key(connection)
    if needs_key and vault is None:
        from bot.db.vault import MissingDataKeyError

        raise MissingDataKeyError("DATA_KEY must be set to move the codes out of clear text")
    if vault is not None:
        _check(connection, vault)
    op.create_table(
        "key_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_value", sa.String(length=64), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_check")),
        sqlite_autoincrement=True,
    )
    if vault is not None:
        row = {"id": 1, "check_value": vault.check_value, "written_at": datetime.now(UTC)}
        connection.execute(sa.insert(key_check).values(row))
    with op.batch_alter_table("targets") as batch:
        for kind in _CODES:
            batch.add_column(sa.Column(f"{kind}_hash", sa.String(length=32), nullable=True))
            batch.add_column(sa.Column(f"{kind}_sealed", sa.String(length=64), nullable=True))
    if needs_key:
        _targets(connection, vault)
        _subjects(connection, vault)
        _conversations(connection, vault)
    with op.batch_alter_table("targets") as batch:
        for kind in _CODES:
            batch.drop_constraint(f"uq_targets_{kind}_code", type_="unique")
            batch.drop_column(f"{kind}_code")
        for kind in ("invite", "attend"):
            for part in ("hash", "sealed"):
                length = 32 if part == "hash" else 64
                batch.alter_column(
                    f"{kind}_{part}", existing_type=sa.String(length=length), nullable=False
                )
        for kind in _CODES:
            batch.create_unique_constraint(f"uq_targets_{kind}_hash", [f"{kind}_hash"])


def downgrade() -> None:
    raise NotImplementedError("codes are not put back in clear text")
