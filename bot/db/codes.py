"""A target's codes at rest, and the one place a typed code is looked up.

The invitation, attendance and parent codes are kept as NIKs are (bot/db/vault.py): a keyed
hash to find the record and a sealed copy to print or show the code. A copy of the database
(a stolen backup) then holds no code that `/start`, `/ortu` or a desk would take, and no way
to test guesses at one without DATA_KEY. Every lookup of a typed code goes through
`find_by_code`, so there is one rule for what a code is ("rina 2345" is RINA2345).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import Target
from bot.db.vault import Vault, vault_of
from bot.domain.codes import new_code


class Code(enum.Enum):
    """Which of a target's codes."""

    INVITE = "invite"  # on the paper letter: links an account, with the birth date
    ATTEND = "attend"  # the /kode QR staff scan at a session: marks attendance
    PARENT = "parent"  # what a teen gives their parents (/kode): links a guardian


_HASHES: dict[Code, InstrumentedAttribute[Any]] = {
    Code.INVITE: Target.invite_hash,
    Code.ATTEND: Target.attend_hash,
    Code.PARENT: Target.parent_hash,
}


def cleaned(typed: str) -> str:
    """A code as the letter prints it: no spaces, capitals."""
    return "".join(typed.split()).upper()


async def find_by_code(
    session: AsyncSession, typed: str, *kinds: Code, lock: bool = False
) -> Target | None:
    """The target one of whose `kinds` of code is `typed`, None when no target's is; `lock`
    holds its row until the unit of work ends (SELECT ... FOR UPDATE)."""
    code = cleaned(typed)
    if not code or not kinds:
        return None
    digest = vault_of(session).code_hash(code)
    query = select(Target).where(or_(*(_HASHES[kind] == digest for kind in kinds))).limit(1)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


def new_columns(
    vault: Vault, invite: str | None = None, attend: str | None = None
) -> dict[str, str]:
    """The code columns of a new target (fresh random codes unless given)."""
    invite, attend = invite or new_code(), attend or new_code()
    return {
        "invite_hash": vault.code_hash(invite),
        "invite_sealed": vault.seal_code(invite),
        "attend_hash": vault.code_hash(attend),
        "attend_sealed": vault.seal_code(attend),
    }


@dataclass(frozen=True)
class Codes:
    """A target's codes, opened (parent None until the teen first asks for it)."""

    invite: str
    attend: str
    parent: str | None


def codes_of(vault: Vault, target: Target) -> Codes:
    """The target's codes in clear, to print on a letter or show in /kode."""
    return Codes(
        invite=vault.open_code(target.invite_sealed),
        attend=vault.open_code(target.attend_sealed),
        parent=vault.open_code(target.parent_sealed) if target.parent_sealed else None,
    )


async def unused_code(session: AsyncSession) -> str:
    """A fresh code that is no record's letter or parent code (`/ortu` takes both)."""
    code = new_code()
    while await find_by_code(session, code, Code.PARENT, Code.INVITE) is not None:
        code = new_code()
    return code


async def parent_code(session: AsyncSession, target: Target) -> str:
    """The code the teen gives their parents, made the first time it is asked for (the
    target's row locked by the caller)."""
    vault = vault_of(session)
    if target.parent_sealed is not None:
        return vault.open_code(target.parent_sealed)
    code = await unused_code(session)
    target.parent_hash, target.parent_sealed = vault.code_hash(code), vault.seal_code(code)
    return code


async def new_invite_code(session: AsyncSession, target: Target) -> str:
    """A new letter code for the target (the old one links nobody from now on); returned in
    clear for a letter printed anew."""
    vault = vault_of(session)
    code = await unused_code(session)
    target.invite_hash, target.invite_sealed = vault.code_hash(code), vault.seal_code(code)
    return code
