"""Inbound answers on three channels (issue 24): teens answering their summons by Telegram
(✅ pressed), WhatsApp ("YA") and SMS ("YA") at once, at a fixed rate per channel, all through
the one public listener of one bot process.

The bot is `rekam run --webhook` in its own process (its CPU time is measured alone), with
PUBLIC_BASE_URL set: Telegram posts its updates to /telegram, WhatsApp to /whatsapp and the SMS
gateway to /sms of the same listener. The Telegram emulator is `rekam emulator` in a second
process (it paces the presses and times press → answerCallbackQuery, which the bot sends after
the confirmation is committed). The WhatsApp Cloud API and SMS gateway emulators run in this
(the benchmark's) process, served on loopback ports as the bot's senders reach them: a teen
writing "YA" is `WhatsAppEmulator.user_text` / `SmsGatewayEmulator.receive_sms`, and the
emulators post their signed webhooks (X-Hub-Signature-256; X-Signature + X-Timestamp) as they
do for statuses, with more connections than their defaults (WhatsApp's 8, the SMS courier's 1)
so the sender is not the bottleneck (--connections each). The phone webhooks answer 200 only
after the answer is applied and its reply queued in one unit of work (bot/inbound/heard.py),
so POST → 200 is the time to a committed confirmation; it is timed on the sender's side.

Every emulator has the same round trip (--latency ± --jitter, 250 ms ± 20 ms): half of it
before each webhook POST reaches the bot and half for its answer to come back, and the same for
each call the bot makes. Telegram's press → answer therefore holds about one round trip (the
update's way in, the answer's way in); a phone answer's POST → 200 holds none ("written → 200"
holds the way in).

The summonses are open (SUMMONED, written straight into the database as docs/bench/presses.py
does), the Telegram teens have a summons message to press under, the phone teens have their
number on the record (contacts.put; WhatsApp ones with izin_wa). At the end every summons must
be CONFIRMED, every phone number must have exactly one reply queued (PHONE_REPLY in the outbox)
and every press one answer.

Run (one benchmark at a time on a shared machine: flock):
    flock /tmp/rekam-bench.lock .venv/bin/python docs/bench/inbound.py \
        --seconds 20 --telegram 50 --whatsapp 50 --sms 50 [--database URL]
    For PostgreSQL, a fresh database each run: createdb -h 127.0.0.1 -U postgres NAME, then
    --database postgresql+asyncpg://postgres@127.0.0.1:5432/NAME, dropdb after.
    A rate of 0 leaves that channel out. --py-spy FILE samples the bot over the offer (py-spy
    installed beside this Python; raw collapsed stacks).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import aiohttp
import httpx
import uvicorn
from sqlalchemy import func, select

from bot.db.codes import new_columns
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Account, OutboxMessage, Place, ServiceSession, Summons, Target
from bot.db.vault import new_key, vault_of
from bot.domain import nik as nik_rules
from bot.domain.kinds import Actor, Channel, ContactOf, ContactSource, Role, SummonsState
from bot.domain.outbox_kinds import Kind
from bot.emulator.latency import Latency, parse_duration
from bot.emulator.sms import SmsGatewayEmulator
from bot.emulator.sms.server import SmsGatewayApp
from bot.emulator.whatsapp import WebhookConfig, WhatsAppEmulator
from bot.emulator.whatsapp import webhook as whatsapp_webhook
from bot.emulator.whatsapp.limits import TIERS
from bot.emulator.whatsapp.limits import Limits as WaLimits
from bot.emulator.whatsapp.server import WhatsAppEmulatorApp
from bot.event_loop import serve
from bot.i18n import Catalogs
from bot.presentation.outbox.phone import TEMPLATES, template_definition
from bot.services import contacts

TOKEN = "333333:BENCH-inbound-token-000000000000000000000"
WA_TOKEN, WA_SECRET, WA_VERIFY = "EAA-bench-token", "bench-app-secret", "bench-verify"
SMS_LOGIN, SMS_PASSWORD, SMS_KEY = "kantor", "sandi-bench", "kunci-bench"
TG_SECRET = "bench-webhook-secret"
Call = Callable[[str, dict[str, Any]], Awaitable[Any]]


def report(line: str = "") -> None:
    print(line, flush=True)  # noqa: T201 (a benchmark script reports on stdout)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, all its threads (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                found.append(int(entry.name))
    return found


@contextlib.contextmanager
def cores_apart(core: int | None, postgres: bool) -> Any:
    """With `core`: this process (the WhatsApp and SMS emulators), what it starts after (the
    Telegram emulator) and, for a PostgreSQL run, the server's processes on the other cores,
    so that the bot has one core of its own, as it would beside the real channels. The
    server's processes get every core back at the end."""
    if core is None:
        yield
        return
    every = os.sched_getaffinity(0)
    rest = every - {core}
    pinned = postgres_pids() if postgres else []
    os.sched_setaffinity(0, rest)
    for pid in pinned:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(pid, rest)
    try:
        yield
    finally:
        for pid in pinned:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(pid, every)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass
class Posted:
    """One answer's webhook: when the teen wrote, and each attempt (start, end, status)."""

    written: float
    attempts: list[tuple[float, float, int | None]] = field(default_factory=list)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Loopback requests through aiohttp. httpcore's pool (under httpx) looks at every open
    connection's socket at each request: with the 64 connections the emulators post with, that
    cost them more CPU than the bot spent on the answers, on the core they share with it."""

    _DROPPED = frozenset({"host", "content-length", "transfer-encoding", "connection"})

    def __init__(self) -> None:
        self.client: aiohttp.ClientSession | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.client is None:
            self.client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        headers = [(k, v) for k, v in request.headers.multi_items() if k not in self._DROPPED]
        body = await request.aread()
        async with self.client.request(
            request.method, str(request.url), data=body, headers=headers
        ) as response:
            content = await response.read()
            kept = [
                (k, v)
                for k, v in response.headers.items()
                if k.lower() not in {*self._DROPPED, "content-encoding"}
            ]
            return httpx.Response(response.status, headers=kept, content=content)

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.close()


class TimedTransport(httpx.AsyncBaseTransport):
    """The emulators' webhook transport: a real loopback HTTP transport that times each POST
    carrying an answer (`key_of` its body names it; statuses and the rest are not timed)."""

    def __init__(self, key_of: Callable[[bytes], str | None], posted: dict[str, Posted]) -> None:
        self.inner = AiohttpTransport()
        self.key_of, self.posted = key_of, posted
        self.other: Counter[int | None] = Counter()  # statuses etc.: their answers

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = self.key_of(request.content)
        start = time.monotonic()
        status: int | None = None
        try:
            response = await self.inner.handle_async_request(request)
            status = response.status_code
            return response
        finally:
            if key is not None and key in self.posted:
                self.posted[key].attempts.append((start, time.monotonic(), status))
            else:
                self.other[status] += 1

    async def aclose(self) -> None:
        await self.inner.aclose()


def whatsapp_key(body: bytes) -> str | None:
    try:
        value = json.loads(body)["entry"][0]["changes"][0]["value"]
    except (ValueError, KeyError, IndexError):
        return None
    messages = value.get("messages")
    return str(messages[0]["id"]) if messages else None


def sms_key(body: bytes) -> str | None:
    try:
        envelope = json.loads(body)
    except ValueError:
        return None
    if envelope.get("event") != "sms:received":
        return None
    return str(envelope["payload"]["messageId"])


@dataclass
class Office:
    telegram: dict[int, int] = field(default_factory=dict)  # summons id → chat id
    whatsapp: dict[int, str] = field(default_factory=dict)  # summons id → number
    sms: dict[int, str] = field(default_factory=dict)


async def build_office(
    db: Database, chats: list[int], whatsapp_count: int, sms_count: int
) -> Office:
    """A session per 500 teens, an open summons each; Telegram teens linked, the others with
    their number on the record (the WhatsApp ones with izin_wa)."""
    now = datetime.now(UTC)
    teens = len(chats) + whatsapp_count + sms_count
    office = Office()
    async with db.session() as session:
        vault = vault_of(session)
        place = Place(name="Mal Pelayanan Publik", address="Jl. Contoh 1")
        session.add(place)
        await session.flush()
        sessions = []
        for day in range(teens // 500 + 1):
            starts = now + timedelta(days=3 + day)
            row = ServiceSession(
                place_id=place.id,
                starts_at=starts,
                ends_at=starts + timedelta(hours=4),
                capacity=500,
                booked=0,
                services=["rekam"],
            )
            session.add(row)
            sessions.append(row)
        await session.flush()
        born = now.date() - timedelta(days=17 * 365 + 40)
        for index in range(teens):
            nik = nik_rules.build("359901", born, female=index % 2 == 0, serial=index + 1)
            target = Target(
                nik_hash=vault.hash(nik),
                nik_sealed=vault.seal(nik),
                **new_columns(vault, f"B{index:07d}", f"H{index:07d}"),
                name=f"Peserta Uji {index}",
                birth_date=born,
            )
            session.add(target)
            await session.flush()
            held = sessions[index // 500]
            held.booked += 1
            summons = Summons(target_id=target.id, session_id=held.id)
            session.add(summons)
            await session.flush()
            if index < len(chats):
                session.add(
                    Account(
                        telegram_id=chats[index],
                        language="id",
                        language_chosen=True,
                        role=Role.TEEN,
                        target_id=target.id,
                    )
                )
                office.telegram[summons.id] = chats[index]
                continue
            number = f"+62812{index:08d}"
            on_whatsapp = index < len(chats) + whatsapp_count
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
            (office.whatsapp if on_whatsapp else office.sms)[summons.id] = number
    return office


async def serving(app: Any, port: int) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    """An emulator's app on a loopback port (bot/emulator/server.py's serve_app, stoppable)."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="critical", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    return server, task


@contextlib.asynccontextmanager
async def telegram_emulator(port: int, latency: str, jitter: str) -> AsyncIterator[Call]:
    """`rekam emulator` (Telegram only, limits off) in its own process; its control surface."""
    command = [sys.executable, "-m", "bot", "emulator", "--port", str(port), "--token", TOKEN]
    command += ["--no-limits", "--latency", latency, "--jitter", jitter]
    command += ["--whatsapp-port", "0", "--sms-port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: ASYNC220
    url = f"http://127.0.0.1:{port}/_emulator"
    try:
        async with aiohttp.ClientSession() as client:
            for _ in range(100):
                with contextlib.suppress(aiohttp.ClientError):
                    async with client.get(f"{url}/stats"):
                        break
                await asyncio.sleep(0.1)

            async def call(action: str, body: dict[str, Any]) -> Any:
                async with client.post(f"{url}/{action}", json=body) as response:
                    return (await response.json())["result"]

            call.pid = process.pid  # type: ignore[attr-defined]
            yield call
    finally:
        process.terminate()
        process.wait()


@contextlib.asynccontextmanager
async def bot_process(
    env: dict[str, str], folder: str, api: str, core: int | None = None
) -> AsyncIterator[int]:
    """`rekam run --webhook`; its pid once Telegram has its webhook (the listener is up). With
    `core`, the bot and all its threads run on that core alone."""
    log = Path(folder) / "bot.log"
    process = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, "-m", "bot", "run", "--webhook"],
        env={**os.environ, **env},
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        preexec_fn=None if core is None else lambda: os.sched_setaffinity(0, {core}),
    )
    hook = env["PUBLIC_BASE_URL"] + "/telegram"
    try:
        async with aiohttp.ClientSession() as client:
            for _ in range(600):
                async with client.get(f"{api}/bot{TOKEN}/getWebhookInfo") as response:
                    if (await response.json())["result"]["url"] == hook:
                        break
                if process.poll() is not None:
                    raise SystemExit(f"the bot stopped:\n{log.read_text()[-3000:]}")
                await asyncio.sleep(0.1)
            else:
                raise SystemExit(f"the bot set no webhook:\n{log.read_text()[-3000:]}")
        yield process.pid
    finally:
        process.terminate()  # its shutdown may still call the emulators here: wait in the loop
        for _ in range(300):
            if process.poll() is not None:
                break
            await asyncio.sleep(0.1)
        else:
            process.kill()
            process.wait()
        errors = [line for line in log.read_text().splitlines() if "ERROR" in line]
        if errors:
            report(f"bot log: {len(errors)} ERROR lines, the first: {errors[0][:300]}")


async def summons_messages(api: str, chats: list[int]) -> list[int]:
    """A summons message in each Telegram chat (to press under); their message ids."""
    gate = asyncio.Semaphore(64)
    async with aiohttp.ClientSession() as client:

        async def one(chat_id: int) -> int:
            async with (
                gate,
                client.post(
                    f"{api}/bot{TOKEN}/sendMessage",
                    json={"chat_id": chat_id, "text": "📣 Panggilan perekaman KTP-el"},
                ) as response,
            ):
                return int((await response.json())["result"]["message_id"])

        return list(await asyncio.gather(*(one(chat_id) for chat_id in chats)))


async def offer(rate: float, count: int, act: Callable[[int], None], started: float) -> None:
    """`act(i)` for i < count at `rate` per second from `started` (monotonic)."""
    for index in range(count):
        delay = started + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        act(index)


async def until_posted(posted: dict[str, Posted], deadline: float) -> None:
    while time.monotonic() < deadline:
        if all(any(200 <= (s or 0) < 300 for *_, s in p.attempts) for p in posted.values()):
            return
        await asyncio.sleep(0.05)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(len(ordered) * share + 0.5) - 1))]


def phone_row(name: str, posted: dict[str, Posted], started: float) -> dict[str, Any]:
    answered = [p for p in posted.values() if any(200 <= (s or 0) < 300 for *_, s in p.attempts)]
    ends = [next(e for _, e, s in p.attempts if 200 <= (s or 0) < 300) for p in answered]
    bot_time = [  # from the first POST to the 2xx (a retry's wait included)
        next(e for _, e, s in p.attempts if 200 <= (s or 0) < 300) - p.attempts[0][0]
        for p in answered
    ]
    written = [end - p.written for p, end in zip(answered, ends, strict=True)]
    retries = sum(len(p.attempts) - 1 for p in posted.values())
    return {
        "name": name,
        "count": len(posted),
        "answered": len(answered),
        "seconds": (max(ends) - started) if ends else float("nan"),
        "latencies": bot_time,
        "written": written,
        "retries": retries,
    }


async def run(args: argparse.Namespace, folder: str, url: str) -> None:
    latency = Latency(parse_duration(args.latency), parse_duration(args.jitter))
    counts = {
        "telegram": round(args.telegram * args.seconds),
        "whatsapp": round(args.whatsapp * args.seconds),
        "sms": round(args.sms * args.seconds),
    }
    data_key = new_key()
    db = Database(url, data_key=data_key)
    await upgrade(db)
    tg_port, wa_port, sms_port, public_port = (free_port() for _ in range(4))
    api, public = f"http://127.0.0.1:{tg_port}", f"http://127.0.0.1:{public_port}"

    # WhatsApp's and the SMS gateway's emulators, here; their webhooks timed.
    wa_posted: dict[str, Posted] = {}
    sms_posted: dict[str, Posted] = {}
    whatsapp = WhatsAppEmulator(WA_TOKEN, latency=latency, limits=WaLimits(tier=TIERS[-1]))
    catalogs = Catalogs(default_language="id")
    _ = catalogs.gettext("id")
    for kind in TEMPLATES:
        assert whatsapp.templates.submit(template_definition(kind, _, "id")).status == "APPROVED"
    wa_transport = TimedTransport(whatsapp_key, wa_posted)
    wa_hooks = httpx.AsyncClient(transport=wa_transport, timeout=httpx.Timeout(30.0))
    whatsapp_webhook.CONNECTIONS = args.connections  # Meta posts with many connections
    whatsapp_webhook.subscribe(
        whatsapp, WebhookConfig(public + "/whatsapp", WA_SECRET, WA_VERIFY), wa_hooks
    )
    sms_transport = TimedTransport(sms_key, sms_posted)
    sms = SmsGatewayEmulator(
        SMS_LOGIN,
        SMS_PASSWORD,
        signing_key=SMS_KEY,
        latency=latency,
        webhook_transport=sms_transport,
    )
    courier = sms.courier
    for _worker in range(args.connections - 1):  # its own pusher is one; these post beside it
        courier._spawn(courier._push())
    servers = [
        await serving(WhatsAppEmulatorApp(whatsapp), wa_port),
        await serving(SmsGatewayApp(sms), sms_port),
    ]
    env = {
        "DATABASE_URL": url,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"{api}/bot",
        "DATA_KEY": data_key,
        "WEBHOOK_SECRET": TG_SECRET,
        "PUBLIC_PORT": str(public_port),
        "PUBLIC_BASE_URL": public,
        "WEB_ENABLED": "false",
        "QUIET_HOURS": "",
        "WHATSAPP_API_URL": f"http://127.0.0.1:{wa_port}",
        "WHATSAPP_PHONE_ID": whatsapp.phone_number_id,
        "WHATSAPP_WABA_ID": whatsapp.waba_id,
        "WHATSAPP_TOKEN": WA_TOKEN,
        "WHATSAPP_APP_SECRET": WA_SECRET,
        "WHATSAPP_VERIFY_TOKEN": WA_VERIFY,
        "WHATSAPP_TIER": str(TIERS[-1]),
        "SMS_GATEWAY_URL": f"http://127.0.0.1:{sms_port}/3rdparty/v1",
        "SMS_GATEWAY_LOGIN": SMS_LOGIN,
        "SMS_GATEWAY_PASSWORD": SMS_PASSWORD,
        "SMS_WEBHOOK_KEY": SMS_KEY,
        "SMS_RATE": str(args.sms_rate),
    }
    try:
        async with (
            telegram_emulator(tg_port, args.latency, args.jitter) as call,
            bot_process(env, folder, api, args.bot_core) as bot_pid,
        ):
            built = time.monotonic()
            chats = [u["id"] for u in await call("users", {"count": counts["telegram"]})]
            office = await build_office(db, chats, counts["whatsapp"], counts["sms"])
            for number in office.whatsapp.values():
                whatsapp.add_user(number)
            messages = await summons_messages(api, chats)
            presses = [
                {"chat_id": chat_id, "message_id": message_id, "data": f"sm:{summons_id}:0:ok"}
                for (summons_id, chat_id), message_id in zip(
                    office.telegram.items(), messages, strict=True
                )
            ]
            wa_numbers, sms_numbers = list(office.whatsapp.values()), list(office.sms.values())
            report(
                f"office built in {time.monotonic() - built:.1f} s: {counts}; "
                f"load average {load_average()}"
            )
            await asyncio.sleep(2)  # the bot's start-up work done

            def wa_answer(index: int) -> None:
                written = time.monotonic()
                message = whatsapp.user_text(wa_numbers[index], "YA")
                wa_posted[str(message["id"])] = Posted(written)

            def sms_answer(index: int) -> None:
                written = time.monotonic()
                sms_id = sms.receive_sms(sms_numbers[index], "YA")
                sms_posted[sms_id] = Posted(written)

            pids = [bot_pid, call.pid, os.getpid()]  # type: ignore[attr-defined]
            spy = None
            if args.py_spy:  # the bot sampled over the offer (py-spy installed beside Python)
                spy = subprocess.Popen(  # noqa: ASYNC220
                    [
                        str(Path(sys.executable).parent / "py-spy"),
                        *("record", "--pid", str(bot_pid), "--duration", str(int(args.seconds))),
                        *("--rate", "200", "--format", "raw", "--output", args.py_spy),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            cpu_before = [cpu_seconds(pid) for pid in pids]
            started = time.monotonic()

            async def telegram() -> tuple[list[float], float]:
                if not presses:
                    return [], float("nan")
                queries = await call("presses", {"presses": presses, "rate": args.telegram})
                while len(answers := await call("answers", {"ids": queries})) < len(queries):
                    if time.monotonic() - started > args.seconds + args.wait:
                        break
                    await asyncio.sleep(0.05)
                return sorted(answers.values()), time.monotonic() - started

            tg_task = asyncio.create_task(telegram())
            offers = [
                offer(args.whatsapp, counts["whatsapp"], wa_answer, started),
                offer(args.sms, counts["sms"], sms_answer, started),
            ]
            await asyncio.gather(*offers)
            deadline = started + args.seconds + args.wait
            await until_posted(wa_posted, deadline)
            await until_posted(sms_posted, deadline)
            tg_latencies, tg_seconds = await tg_task
            while spy is not None and spy.poll() is None:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
            cpu = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before, strict=True)]
            load_after = load_average()
            others = (dict(wa_transport.other), dict(sms_transport.other))
            await asyncio.sleep(args.settle)  # late duplicates, if any, have time to show
            tg_answers = len(tg_latencies)
            checks = await verify(db, office)
            wa_replies = Counter(
                number
                for number in wa_numbers
                for m in whatsapp.chats.get(number.lstrip("+"), ())
                if m.error is None
            )
            sms_replies = Counter(
                r.phone for m in sms.messages.values() for r in m.recipients if "Sent" in m.states
            )
    finally:
        for server, task in servers:
            server.should_exit = True
            await task
        whatsapp_webhook.stop_pushing(whatsapp)
        await sms.aclose()
        await wa_hooks.aclose()
        await db.dispose()

    rows = [
        {
            "name": "Telegram (✅ press)",
            "count": counts["telegram"],
            "answered": tg_answers,
            "seconds": tg_seconds,
            "latencies": tg_latencies,
            "written": tg_latencies,
            "retries": 0,
        },
        phone_row('WhatsApp ("YA")', wa_posted, started),
        phone_row('SMS ("YA")', sms_posted, started),
    ]
    offered = {"Telegram": args.telegram, "WhatsApp": args.whatsapp, "SMS": args.sms}
    database_kind = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    report()
    report(
        f"{database_kind}; round trip {args.latency} ± {args.jitter}; {args.seconds:g} s offered; "
        f"load average after {load_after}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    report()
    report(
        "| channel | answers | offered/s | handled/s | p50 | p95 | p99 | max | written → 200 p99 "
        "| retries | confirmed in DB | replies queued (dupl.) |"
    )
    report("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row, (short, rate) in zip(rows, offered.items(), strict=True):
        lat = row["latencies"]
        if not lat:
            continue
        confirmed, replies, dupes = checks[short]
        report(
            f"| {row['name']} | {row['answered']}/{row['count']} | {rate:g} | "
            f"{row['answered'] / row['seconds']:.1f} | "
            f"{statistics.median(lat) * 1000:.0f} ms | {percentile(lat, 0.95) * 1000:.0f} ms | "
            f"{percentile(lat, 0.99) * 1000:.0f} ms | {max(lat) * 1000:.0f} ms | "
            f"{percentile(row['written'], 0.99) * 1000:.0f} ms | {row['retries']} | "
            f"{confirmed} | {replies} ({dupes}) |"
        )
    total = sum(row["answered"] for row in rows)
    phone = rows[1]["answered"] + rows[2]["answered"]
    window = max(row["seconds"] for row in rows if row["latencies"])
    report()
    report(
        f"all: {total} answers in {window:.1f} s = {total / window:.1f}/s "
        f"(phone {phone / window:.1f}/s); bot CPU {cpu[0]:.1f} s = "
        f"{cpu[0] / total * 1000:.1f} ms per answer ({cpu[0] / window * 100:.0f} % of a core); "
        f"Telegram emulator {cpu[1]:.1f} s, this process (WhatsApp + SMS emulators) {cpu[2]:.1f} s"
    )
    report(
        f"statuses and other webhooks until then, by answer: WhatsApp {others[0]}, SMS {others[1]}"
    )
    report(
        f"replies sent by the end: WhatsApp {sum(wa_replies.values())} "
        f"(numbers with more than one: {sum(1 for c in wa_replies.values() if c > 1)}), "
        f"SMS {sum(sms_replies.values())} "
        f"(more than one: {sum(1 for c in sms_replies.values() if c > 1)})"
    )


async def verify(db: Database, office: Office) -> dict[str, tuple[int, int, int]]:
    """Per channel: summonses CONFIRMED, phone replies queued, numbers with more than one."""
    result = {}
    async with db.session() as session:
        for short, ids in (
            ("Telegram", list(office.telegram)),
            ("WhatsApp", list(office.whatsapp)),
            ("SMS", list(office.sms)),
        ):
            confirmed = 0
            for chunk in range(0, len(ids), 500):
                confirmed += int(
                    await session.scalar(
                        select(func.count())
                        .select_from(Summons)
                        .where(
                            Summons.id.in_(ids[chunk : chunk + 500]),
                            Summons.state == SummonsState.CONFIRMED,
                        )
                    )
                    or 0
                )
            channel = {"WhatsApp": Channel.WHATSAPP, "SMS": Channel.SMS}.get(short)
            replies, dupes = 0, 0
            if channel is not None:
                per_contact = (
                    await session.execute(
                        select(OutboxMessage.contact_id, func.count())
                        .where(
                            OutboxMessage.message_key == Kind.PHONE_REPLY.value,
                            OutboxMessage.channel == channel,
                        )
                        .group_by(OutboxMessage.contact_id)
                    )
                ).all()
                replies = sum(count for _, count in per_contact)
                dupes = sum(1 for _, count in per_contact if count > 1)
            result[short] = (confirmed, replies, dupes)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="how long answers are offered")
    parser.add_argument("--telegram", type=float, default=50, help="presses a second")
    parser.add_argument("--whatsapp", type=float, default=50, help="WhatsApp answers a second")
    parser.add_argument("--sms", type=float, default=50, help="SMS answers a second")
    parser.add_argument("--latency", default="250ms")
    parser.add_argument("--jitter", default="20ms")
    parser.add_argument("--connections", type=int, default=64, help="per phone emulator")
    parser.add_argument("--sms-rate", type=float, default=600, help="SMS_RATE, a minute")
    parser.add_argument("--wait", type=float, default=60, help="most seconds after the offer")
    parser.add_argument("--settle", type=float, default=3, help="wait after the last (s)")
    parser.add_argument("--database", help="default: a new SQLite file")
    parser.add_argument("--py-spy", help="sample the bot with py-spy into this file (raw)")
    parser.add_argument(
        "--bot-core", type=int, help="run the bot alone on this core, everything else on the rest"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rekam-inbound-") as folder:
        url = args.database or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        with cores_apart(args.bot_core, url.startswith("postgresql")):
            serve(run(args, folder, url))  # on uvloop too: the emulators cost CPU beside the bot


if __name__ == "__main__":
    main()
