"""Multi-channel summons benchmark (issue 24): one `rekam summon` reaching an office's teens on
Telegram, WhatsApp and SMS at once, through the real bot, its dispatcher and the three in-process
emulators (Telegram Bot API, WhatsApp Cloud API, SMS Gateway for Android), each with the same
round trip and jitter.

Run:
    .venv/bin/python docs/bench/channels.py --teens 2000 [--latency 250ms --jitter 20ms]
        [--sms-rate 600] [--database URL] [--via summon|assign] [--stall 60]

The teens: 15 % linked on Telegram, 65 % with a number with izin_wa on WhatsApp, 15 % with a
number and no WhatsApp consent (SMS), 5 % with nothing. They are summoned with the real
`rekam summon` service (bot.services.summoning.summon_all) to sessions with enough seats, or,
with --via assign, by bot.services.summonses.assign for each teen in one transaction (the
desk's path, which queues the summons for numbers too). The run stops once everyone reachable
has the summons, or when nobody new was reached for --stall seconds.
Quiet hours are off. The WhatsApp tier (Rekam's WHATSAPP_TIER and the emulator's) is set to
100,000 new people a day so the 24-hour tier does not cut the run short; SMS_RATE is
--sms-rate messages a minute (the bot's maximum, 600, by default).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from collections import Counter
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx

from bot.channels.sms import segments
from bot.db.codes import new_columns
from bot.db.migrate import upgrade
from bot.db.models import Account, Target
from bot.db.vault import vault_of
from bot.domain import nik as nik_rules
from bot.domain import summons_rules
from bot.domain.kinds import Actor, Channel, ContactOf, ContactSource
from bot.emulator import Limits
from bot.emulator.latency import Latency, parse_duration
from bot.emulator.sms import SmsGatewayEmulator
from bot.emulator.whatsapp import WebhookConfig, WhatsAppEmulator
from bot.emulator.whatsapp.limits import TIERS
from bot.emulator.whatsapp.limits import Limits as WaLimits
from bot.emulator.whatsapp.server import IN_PROCESS_API_URL
from bot.emulator.whatsapp.webhook import subscribe
from bot.i18n import Catalogs
from bot.inbound.app import SMS_PATH, WHATSAPP_PATH
from bot.presentation.outbox.phone import TEMPLATES, template_definition
from bot.services import contacts, notices, summoning, summonses
from tests.support.factories import REGION, add_place, add_session, attend_code_of, born_aged
from tests.support.harness import database, free_port, make_settings, running_bot
from tests.support.phones import (
    PUBLIC,
    SMS_KEY,
    SMS_LOGIN,
    SMS_PASSWORD,
    SMS_URL,
    WA_SECRET,
    WA_TOKEN,
    WA_VERIFY,
    _phones,
    _webhooks,
)

TELEGRAM_RATE = 30.0  # DISPATCH_RATE: Telegram's 30 messages a second
WHATSAPP_RATE = 80.0  # the Cloud API's throughput per business number
TG_SUMMONS = "📣"
WA_SUMMONS = "rekam_panggilan"
SMS_SUMMONS = "Panggilan perekaman KTP-el"


@dataclass
class Office:
    telegram: dict[int, int] = field(default_factory=dict)  # target id → chat id
    whatsapp: dict[int, str] = field(default_factory=dict)  # target id → number
    sms: dict[int, str] = field(default_factory=dict)
    nobody: list[int] = field(default_factory=list)
    sessions: list[int] = field(default_factory=list)


@asynccontextmanager
async def three_channels(url: str, latency: Latency, sms_rate: float) -> Any:
    """tests.support.phones.phone_office, with the round trips on all three emulators and
    Telegram's and WhatsApp's real limits (not the journeys' roomier bursts)."""
    settings = make_settings(
        url,
        whatsapp_api_url=IN_PROCESS_API_URL,
        whatsapp_phone_id="106540352242922",
        whatsapp_waba_id="102290129340398",
        whatsapp_token=WA_TOKEN,
        whatsapp_app_secret=WA_SECRET,
        whatsapp_verify_token=WA_VERIFY,
        whatsapp_tier=TIERS[-1],
        sms_gateway_url=SMS_URL,
        sms_gateway_login=SMS_LOGIN,
        sms_gateway_password=SMS_PASSWORD,
        sms_webhook_key=SMS_KEY,
        sms_rate=sms_rate,
        quiet_hours="",
        public_port=free_port(),
    )
    whatsapp = WhatsAppEmulator(WA_TOKEN, latency=latency, limits=WaLimits(tier=TIERS[-1]))
    catalogs = Catalogs(default_language=settings.default_language)
    _ = catalogs.gettext("id")
    for kind in TEMPLATES:
        assert whatsapp.templates.submit(template_definition(kind, _, "id")).status == "APPROVED"
    async with _webhooks(settings, catalogs, None) as (_inbound, transport):
        sms = SmsGatewayEmulator(
            SMS_LOGIN,
            SMS_PASSWORD,
            signing_key=SMS_KEY,
            webhook_transport=transport,
            latency=latency,
        )
        for event in ("sms:received", "sms:sent", "sms:delivered", "sms:failed"):
            sms.put_webhook({"id": event, "url": PUBLIC + SMS_PATH, "event": event})
        hooks = httpx.AsyncClient(transport=transport)
        subscribe(whatsapp, WebhookConfig(PUBLIC + WHATSAPP_PATH, WA_SECRET, WA_VERIFY), hooks)
        try:
            async with AsyncExitStack() as stack:
                bot = await stack.enter_async_context(
                    running_bot(
                        settings,
                        limits=Limits(),
                        latency=latency,
                        phones=_phones(whatsapp, sms, settings.sms_rate),
                    )
                )
                yield bot, whatsapp, sms
        finally:
            await sms.aclose()
            await hooks.aclose()


async def populate(bot: Any, whatsapp: WhatsAppEmulator, teens: int) -> Office:
    """The teens, their numbers and accounts, and sessions with seats for all of them."""
    settings, office = bot.settings, Office()
    place = await add_place(bot.db, "Mal Pelayanan Publik")
    per_session = 500
    for index in range(teens // per_session + 1):
        service_session = await add_session(
            bot.db,
            settings,
            place,
            days_ahead=4 + index // 4,
            hour=8 + 2 * (index % 4),
            capacity=per_session,
        )
        office.sessions.append(service_session.id)
    now = datetime.now(UTC)
    async with bot.db.session() as session:
        vault = vault_of(session)
        rows = []
        for i in range(teens):
            born = born_aged(settings, 17, days=30 + i // 9000)  # NIK serials go to 9999
            nik = nik_rules.build(REGION, born, female=i % 2 == 0, serial=i % 9000 + 1)
            code = f"B{i:07d}"
            rows.append(
                Target(
                    nik_hash=vault.hash(nik),
                    nik_sealed=vault.seal(nik),
                    name=f"Remaja {i}",
                    birth_date=born,
                    sex="P" if i % 2 == 0 else "L",
                    **new_columns(vault, invite=code, attend=attend_code_of(code)),
                )
            )
        session.add_all(rows)
        await session.flush()
        for i, target in enumerate(rows):
            share = (i % 20) / 20  # 3/20 Telegram, 13/20 WhatsApp, 3/20 SMS, 1/20 nobody
            if share < 0.15:
                user = bot.emulator.add_user(f"Remaja {i}", started=True)
                session.add(Account(telegram_id=user["id"], language="id", target_id=target.id))
                office.telegram[target.id] = user["id"]
                continue
            if share >= 0.95:
                office.nobody.append(target.id)
                continue
            number = f"+62812{i:08d}"
            on_whatsapp = share < 0.80
            await contacts.put(
                session,
                target.id,
                ContactOf.TEEN,
                number,
                source=ContactSource.LIST,
                actor=Actor.STAFF,
                channel=Channel.CLI,
                now=now,
                whatsapp_consent=on_whatsapp,
            )
            if on_whatsapp:
                whatsapp.add_user(number)
                office.whatsapp[target.id] = number
            else:
                office.sms[target.id] = number
    return office


def telegram_summonses(bot: Any, chat_id: int) -> list[float]:
    chat = bot.emulator.chats[chat_id]
    return [
        chat.stamps[seq]
        for seq, kind, payload in chat.activity
        if kind == "message" and str(payload.get("text", "")).startswith(TG_SUMMONS)
    ]


def whatsapp_summonses(whatsapp: WhatsAppEmulator, number: str) -> list[float]:
    found = []
    for message in whatsapp.chats.get(number.lstrip("+"), ()):
        template = message.body.get("template") or {}
        if template.get("name") == WA_SUMMONS and message.error is None:
            found.append(message.statuses[0][1])  # accepted ("sent" at once)
    return found


def sms_summonses(sms: SmsGatewayEmulator) -> dict[str, list[float]]:
    """Each number's summonses sent by the phone, when each was sent."""
    found: dict[str, list[float]] = {}
    for message in list(sms.messages.values()):
        if message.text.startswith(SMS_SUMMONS) and "Sent" in message.states:
            for recipient in message.recipients:
                found.setdefault(recipient.phone, []).append(message.states["Sent"].timestamp())
    return found


def busiest_second(stamps: list[float]) -> int:
    stamps, best, low = sorted(stamps), 0, 0
    for high, at in enumerate(stamps):
        while stamps[low] <= at - 1.0:
            low += 1
        best = max(best, high - low + 1)
    return best


async def run(args: argparse.Namespace, url: str) -> None:
    latency = Latency(parse_duration(args.latency), parse_duration(args.jitter))
    db = database(url)
    await upgrade(db)
    await db.dispose()
    async with three_channels(url, latency, args.sms_rate) as (bot, whatsapp, sms):
        built = time.monotonic()
        office = await populate(bot, whatsapp, args.teens)
        print(f"office built in {time.monotonic() - built:.1f} s", flush=True)
        settings = bot.settings
        deadline = summons_rules.deadline_for(settings.election_date, settings.zone)
        policy = notices.Policy.of(settings)
        t0_mono, t0_wall = time.monotonic(), time.time()
        async with bot.db.session() as session:
            if args.via == "summon":  # `rekam summon`
                result = await summoning.summon_all(
                    session,
                    now=datetime.now(UTC),
                    deadline=deadline,
                    policy=policy,
                    dry_run=False,
                )
                what = (
                    f"summon_all: {result.summoned} summoned, {result.waiting} waiting, "
                    f"{result.messages_queued} teens' messages queued"
                )
            else:  # one summons at a time (the desk's and /ganti's path), one transaction
                now = datetime.now(UTC)
                targets = sorted((*office.telegram, *office.whatsapp, *office.sms, *office.nobody))
                for index, target_id in enumerate(targets):
                    assert await summonses.assign(
                        session,
                        target_id,
                        office.sessions[index // 500],
                        now=now,
                        deadline=deadline,
                        actor=Actor.STAFF,
                        channel=Channel.CLI,
                        policy=policy,
                    )
                what = f"summonses.assign × {len(targets)}, one transaction"
        summon_seconds = time.monotonic() - t0_mono  # the transaction committed: all due now
        print(f"{what}: {summon_seconds:.2f} s", flush=True)

        def reached() -> tuple[int, int, int]:
            by_sms = sms_summonses(sms)
            return (
                sum(1 for c in office.telegram.values() if telegram_summonses(bot, c)),
                sum(1 for n in office.whatsapp.values() if whatsapp_summonses(whatsapp, n)),
                sum(1 for n in office.sms.values() if by_sms.get(n)),
            )

        want = (len(office.telegram), len(office.whatsapp), len(office.sms))
        last_print, last_change, seen = 0.0, time.monotonic(), (0, 0, 0)
        while (got := reached()) != want:
            now_mono = time.monotonic()
            if got != seen:
                seen, last_change = got, now_mono
            if now_mono - last_change > args.stall:
                print(f"  nothing more reached in {args.stall:g} s: stopped", flush=True)
                break
            if now_mono - last_print > 10:
                last_print = now_mono
                print(f"  {now_mono - t0_mono:6.1f} s: reached {got} of {want}", flush=True)
            await asyncio.sleep(0.5)
        await asyncio.sleep(args.settle)  # late duplicates, if any, have time to show
        report(args, bot, whatsapp, sms, office, want, t0_mono, t0_wall, summon_seconds)


def report(
    args: argparse.Namespace,
    bot: Any,
    whatsapp: WhatsAppEmulator,
    sms: SmsGatewayEmulator,
    office: Office,
    want: tuple[int, int, int],
    t0_mono: float,
    t0_wall: float,
    summon_seconds: float,
) -> None:
    tg = {t: telegram_summonses(bot, c) for t, c in office.telegram.items()}
    wa = {t: whatsapp_summonses(whatsapp, n) for t, n in office.whatsapp.items()}
    by_sms = sms_summonses(sms)
    sm = {t: by_sms.get(n, []) for t, n in office.sms.items()}
    # Every channel, for every teen (a WhatsApp teen's summons by SMS too is a duplicate).
    numbers = {**office.whatsapp, **office.sms}
    per_teen: Counter[int] = Counter()
    for target in office.telegram:
        per_teen[target] += len(tg[target])
    for target, number in numbers.items():
        per_teen[target] += len(whatsapp_summonses(whatsapp, number))
        per_teen[target] += len(by_sms.get(number, []))
    duplicates = sum(1 for count in per_teen.values() if count > 1)
    nobody_reached = sum(1 for t in office.nobody if per_teen[t])
    missing = sum(1 for t in (*office.telegram, *numbers) if per_teen[t] == 0)

    def done(firsts: list[float], t0: float) -> float:
        return max(firsts) - t0 if firsts else float("nan")

    tg_done = done([min(s) for s in tg.values() if s], t0_mono)
    wa_done = done([min(s) for s in wa.values() if s], t0_wall)
    sm_done = done([min(s) for s in sm.values() if s], t0_wall)
    sms_rate = args.sms_rate / 60
    ideal = (want[0] / TELEGRAM_RATE, want[1] / WHATSAPP_RATE, want[2] / sms_rate)
    tg_stats = bot.emulator.limiter.stats
    wa_stats = whatsapp.limiter.stats
    sms_sent = [m.states["Sent"].timestamp() for m in sms.messages.values() if "Sent" in m.states]
    templates = sum(
        1
        for chat in whatsapp.chats.values()
        for m in chat
        if m.body.get("type") == "template" and m.error is None
    )
    texts = [m.text for m in sms.messages.values() if "Sent" in m.states]
    estimated_segments = sum(segments.count(text) for text in texts)

    print()
    print(
        f"{args.teens:,} teens: {want[0]} Telegram, {want[1]} WhatsApp, {want[2]} SMS, "
        f"{len(office.nobody)} unreachable; latency {args.latency} ± {args.jitter}; "
        f"SMS_RATE {args.sms_rate:g}/min; via {args.via} ({summon_seconds:.2f} s)"
    )
    print()
    print(
        "| channel | teens | all reached (s) | after commit (s) | ceiling (s) | ratio "
        "| busiest 1 s | limit/s | sends |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    rows = [
        (
            "Telegram",
            want[0],
            tg_done,
            ideal[0],
            tg_stats.peak_one_second,
            TELEGRAM_RATE,
            tg_stats.accepted,
        ),
        (
            "WhatsApp",
            want[1],
            wa_done,
            ideal[1],
            wa_stats.peak_one_second,
            WHATSAPP_RATE,
            wa_stats.accepted,
        ),
        ("SMS", want[2], sm_done, ideal[2], busiest_second(sms_sent), sms_rate, len(sms_sent)),
    ]
    # ratio: seconds after the summonses were committed (all due) over the channel's ceiling
    for name, teens, seconds, ceiling, peak, limit, sends in rows:
        print(
            f"| {name} | {teens} | {seconds:.1f} | {seconds - summon_seconds:.1f} | {ceiling:.1f} "
            f"| {(seconds - summon_seconds) / ceiling:.2f} | "
            f"{peak} | {limit:g} | {sends} |"
        )
    dones = (tg_done, wa_done, sm_done)
    overall = float("nan") if any(d != d for d in dones) else max(dones)  # nan: not everyone
    after = overall - summon_seconds
    print(
        f"| all | {sum(want)} | {overall:.1f} | {after:.1f} | {max(ideal):.1f} "
        f"| {after / max(ideal):.2f} | | | |"
    )
    print()
    print(
        f"missing summonses: {missing}; duplicates: {duplicates}; unreachable reached: {nobody_reached}"
    )
    print(
        f"Telegram: refused {tg_stats.refused}, busiest second of attempts "
        f"{tg_stats.peak_attempts_one_second}, one chat {tg_stats.per_chat_peak}; its "
        f"{tg_stats.accepted} sends (summons, venue) / {TELEGRAM_RATE:g} per s = "
        f"{tg_stats.accepted / TELEGRAM_RATE:.1f} s"
    )
    print(
        f"WhatsApp: accepted {wa_stats.accepted}, refused {wa_stats.refused}, failed "
        f"{wa_stats.failed}, billed {dict(wa_stats.billed)} (sum {sum(wa_stats.billed.values())}) "
        f"vs template sends × 1 = {templates}"
    )
    stats = sms.stats
    print(
        f"SMS: sent {stats.sent}, failed {stats.failed}, peak per minute {stats.peak_per_minute} "
        f"(limit {args.sms_rate:g}), segments billed {stats.segments} vs segments.count on "
        f"the texts sent = {estimated_segments}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--teens", type=int, default=2000)
    parser.add_argument("--latency", default="250ms")
    parser.add_argument("--jitter", default="20ms")
    parser.add_argument("--sms-rate", type=float, default=600, help="SMS_RATE, a minute")
    parser.add_argument("--database", help="default: a fresh SQLite file")
    parser.add_argument("--via", choices=("summon", "assign"), default="summon")
    parser.add_argument(
        "--stall", type=float, default=60, help="stop when nobody new is reached (s)"
    )
    parser.add_argument("--settle", type=float, default=5, help="wait after the last (s)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rekam-channels-"))
    try:
        asyncio.run(run(args, args.database or f"sqlite+aiosqlite:///{work}/office.db"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
