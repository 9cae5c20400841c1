"""Changing DATA_KEY (`rekam rekey`): everything kept under the old key is kept under the new
one, in one unit of work, so the database is never half one key and half the other.

What is kept under the key, and what becomes of it:
- each target's NIK and codes (a keyed hash and a sealed copy each): opened with the old key,
  hashed and sealed again with the new one;
- a conversation's sealed code and NIK (a code waiting for its birth date, a NIK typed into
  /daftar): sealed again; a NIK kept only as its hash (a parent's NIK link, waiting for the
  birth date) is hashed again when it is a target's, and otherwise that conversation ends
  (the parent types the NIK again): a hash cannot be opened, only matched;
- the lockout's subjects in the event log (`nik:` and `code:` hashes): hashed again when the
  NIK or code is a target's. A guess at a NIK or code that is no target's cannot be hashed
  again; its subject is cleared. Such a lock guards no record, the guesser's own count (by
  Telegram id) still stands, and no hash made with the old key is left behind, so the old
  key, once retired (or leaked), tests nothing against the database;
- the phone numbers on records (a keyed hash and a sealed copy each): opened with the old
  key, hashed and sealed again with the new one;
- the key check value (bot/db/keys.py).
Web sign-in tokens are hashed without the key and stay as they are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import keys, leases
from bot.db.models import Account, ContactPoint, Event, Target
from bot.db.vault import Vault, vault_of
from bot.domain.kinds import Actor, Channel
from bot.services import events

_BATCH = 5_000
_PREFIXES = ("nik:", "code:")
_KEPT = 40  # hex digits of a hash in a lockout subject (bot/services/lockout.py)


class SameKeyError(ValueError):
    """The new key is the key the database is already kept under."""


class StillRunningError(RuntimeError):
    """A bot process (a dispatcher or the planner) holds a live lease: it would go on writing
    with the old key after the change."""


@dataclass(frozen=True)
class Rekeyed:
    targets: int  # targets whose NIK and codes were sealed and hashed again
    subjects: int  # lockout subjects hashed again
    cleared: int  # lockout subjects of no target's NIK or code, cleared
    conversations: int  # conversations sealed again
    ended: int  # conversations ended: a NIK's hash with nothing to hash again from
    numbers: int = 0  # phone numbers on records sealed and hashed again


async def rekey(session: AsyncSession, new: Vault, *, now: datetime, by: str) -> Rekeyed:
    """Keep everything under `new` instead of the unit of work's key (whose check the caller
    has passed). Refused while a bot process runs, or when the key would not change."""
    old = vault_of(session)
    if new.check_value == old.check_value:
        raise SameKeyError("the new key is the current key")
    if await leases.live(session, "", now=now):
        raise StillRunningError("a bot process is running")
    subjects = await _subjects(session)
    conversations = await _conversations(session)
    wanted = {s.split(":", 1)[1] for s in subjects}
    wanted |= {str(c["nik_hash"])[:_KEPT] for _, c in conversations if "nik_hash" in c}
    moved, targets = await _targets(session, old, new, wanted)
    hashed = await _events(session, subjects, moved)
    sealed, ended = await _resealed(session, conversations, old, new, moved)
    numbers = await _numbers(session, old, new)
    await keys.replace(session, new)
    done = Rekeyed(targets, hashed, len(subjects) - hashed, sealed, ended, numbers)
    events.record(
        session, "data_key_replaced", actor=Actor.STAFF, channel=Channel.CLI, by=by, **asdict(done)
    )
    return done


async def _targets(
    session: AsyncSession, old: Vault, new: Vault, wanted: set[str]
) -> tuple[dict[str, str], int]:
    """Every target's NIK and codes under the new key; the new hash of each old one in
    `wanted` (the first 40 hex digits of the old, by the whole new)."""
    columns = (Target.id, Target.nik_sealed, Target.invite_sealed, Target.attend_sealed)
    moved: dict[str, str] = {}
    last, count = 0, 0
    while True:
        rows = (
            await session.execute(
                select(*columns, Target.parent_sealed, Target.nik_hash)
                .where(Target.id > last, Target.nik_sealed != "")  # "": purged, nothing to open
                .order_by(Target.id)
                .limit(_BATCH)
            )
        ).all()
        if not rows:
            return moved, count
        changed: list[dict[str, Any]] = []
        for id_, nik_sealed, invite, attend, parent, nik_hash in rows:
            nik = old.open(nik_sealed)
            values: dict[str, Any] = {
                "id": id_,
                "nik_hash": new.hash(nik),
                "nik_sealed": new.seal(nik),
            }
            if nik_hash[:_KEPT] in wanted:
                moved[nik_hash[:_KEPT]] = values["nik_hash"]
            for kind, sealed in (("invite", invite), ("attend", attend), ("parent", parent)):
                if sealed is None:
                    continue
                code = old.open_code(sealed)
                digest = new.code_hash(code)
                values |= {f"{kind}_hash": digest, f"{kind}_sealed": new.seal_code(code)}
                if old.code_hash(code)[:_KEPT] in wanted:
                    moved[old.code_hash(code)[:_KEPT]] = digest
            changed.append(values)
        await session.execute(update(Target), changed)
        count += len(changed)
        last = rows[-1][0]


async def _numbers(session: AsyncSession, old: Vault, new: Vault) -> int:
    rows = (await session.execute(select(ContactPoint.id, ContactPoint.phone_sealed))).all()
    changed = []
    for id_, sealed in rows:
        number = old.open_phone(sealed)
        changed.append(
            {
                "id": id_,
                "phone_hash": new.phone_hash(number),
                "phone_sealed": new.seal_phones([number])[0],
            }
        )
    if changed:
        await session.execute(update(ContactPoint), changed)
    return len(changed)


async def _subjects(session: AsyncSession) -> list[str]:
    found = await session.scalars(
        select(Event.subject)
        .where(Event.subject.startswith(_PREFIXES[0]) | Event.subject.startswith(_PREFIXES[1]))
        .distinct()
    )
    return [str(subject) for subject in found]


async def _events(session: AsyncSession, subjects: list[str], moved: dict[str, str]) -> int:
    hashed = 0
    for subject in subjects:
        prefix, digest = subject.split(":", 1)
        renewed = moved.get(digest)
        value = f"{prefix}:{renewed[:_KEPT]}" if renewed is not None else None
        hashed += renewed is not None
        await session.execute(update(Event).where(Event.subject == subject).values(subject=value))
    return hashed


async def _conversations(session: AsyncSession) -> list[tuple[int, dict[str, Any]]]:
    rows = await session.execute(
        select(Account.id, Account.conversation).where(Account.conversation.is_not(None))
    )
    keyed = ("nik_hash", "nik_sealed", "code_sealed")
    return [(id_, dict(c)) for id_, c in rows if isinstance(c, dict) and any(k in c for k in keyed)]


async def _resealed(
    session: AsyncSession,
    conversations: list[tuple[int, dict[str, Any]]],
    old: Vault,
    new: Vault,
    moved: dict[str, str],
) -> tuple[int, int]:
    sealed = ended = 0
    for account_id, data in conversations:
        value: dict[str, Any] | None = data
        if "code_sealed" in data:
            data["code_sealed"] = new.seal_code(old.open_code(str(data["code_sealed"])))
        if "nik_sealed" in data:
            nik = old.open(str(data["nik_sealed"]))
            data["nik_sealed"], data["nik_hash"] = new.seal(nik), new.hash(nik)
        elif "nik_hash" in data:
            renewed = moved.get(str(data["nik_hash"])[:_KEPT])
            data["nik_hash"] = renewed
            value = data if renewed is not None else None
        sealed += value is not None
        ended += value is None
        await session.execute(
            update(Account).where(Account.id == account_id).values(conversation=value)
        )
    return sealed, ended
