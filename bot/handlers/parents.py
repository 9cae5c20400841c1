"""Parents and guardians in the chat: /ortu (link with the child's code, or NIK and birth date
for a child without Telegram), the child's side of /ortu (who is linked, remove), unlinking,
and staff approving NIK requests."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
from bot.db.models import Account, Staff
from bot.domain import nik as nik_rules
from bot.domain.dates import DateError, parse_birth_date
from bot.domain.kinds import LinkState
from bot.handlers.registration import DATE_PROBLEMS, NIK_PROBLEMS
from bot.handlers.staff import guarded
from bot.handlers.summons import send_summons
from bot.i18n import format_when
from bot.services import accounts, family, notices, summonses
from bot.services.family import Linking
from bot.services.outbox import Recipient

_CODE = re.compile(r"^[A-Za-z0-9]{6,16}$")
_DEEP_LINK = r"^/start ortu_[A-Za-z0-9]{6,16}$"


def _now() -> datetime:
    return datetime.now(UTC)


async def _ask_child_date(update: Update, context: BotContext, code: str) -> None:
    """A code was given: the child's birth date proves the parent knows the child."""
    assert update.effective_message and update.effective_user
    _ = context.gettext
    async with context.session() as session:
        account = await accounts.ensure(session, update.effective_user.id, context.language)
        locked = await family.locked(session, account, _now())
        if not locked:
            accounts.set_step(account, "parent_code_date", code=code.upper())
    if locked:
        await update.effective_message.reply_text(_locked_text(context))
        return
    await update.effective_message.reply_text(
        _("Tulis tanggal lahir anak Anda (contoh: 12-03-2009) untuk memastikan tautan ini benar.")
    )


def _locked_text(context: BotContext) -> str:
    return str(
        context.gettext(
            "Untuk keamanan, penautan ditunda sementara. Coba lagi setelah satu jam, atau datang "
            "ke kantor Dukcapil dengan membawa Kartu Keluarga."
        )
    )


async def link_from_deep_link(update: Update, context: BotContext) -> None:
    """/start ortu_<code>: the link a child shares with their parent."""
    assert context.args
    await _ask_child_date(update, context, context.args[0].removeprefix("ortu_"))


async def parents_command(update: Update, context: BotContext) -> None:
    """/ortu: a teen sees who is linked; anyone else links a child (with a code, or by NIK)."""
    assert update.effective_message and update.effective_user
    _ = context.gettext
    if context.args and _CODE.match(context.args[0]):
        await _ask_child_date(update, context, context.args[0])
        return
    async with context.session() as session:
        account = await accounts.ensure(session, update.effective_user.id, context.language)
        if account.target_id is not None:
            guardians = await family.guardians_of(session, account.target_id)
            children = None
        else:
            guardians, children = None, await family.children_of(session, account)
    if guardians is not None:
        await _show_guardians(update, context, guardians)
        return
    lines = []
    buttons = []
    for child in children or []:
        state = (
            _("tertaut") if child.state == LinkState.ACTIVE else _("menunggu persetujuan petugas")
        )
        lines.append(f"• {child.name} ({state})")
        buttons.append(
            [
                InlineKeyboardButton(
                    _("Lepas tautan: {name}").format(name=child.name)[:60],
                    callback_data=f"pa:rm:{child.link_id}",
                )
            ]
        )
    buttons.append(
        [InlineKeyboardButton(_("Anak tanpa Telegram: pakai NIK"), callback_data="pa:nik")]
    )
    intro = _(
        "Untuk menautkan anak Anda, minta kodenya (anak Anda mengetik /kode), lalu tulis: "
        "/ortu KODE"
    )
    text = "\n".join([_("Anak Anda yang tertaut:"), *lines, "", intro]) if lines else intro
    await update.effective_message.reply_text(text, reply_markup=InlineKeyboardMarkup(buttons))


async def _show_guardians(
    update: Update, context: BotContext, guardians: list[family.Guardian]
) -> None:
    assert update.effective_message
    _ = context.gettext
    if not guardians:
        await update.effective_message.reply_text(
            _(
                "Belum ada orang tua/wali yang tertaut. Orang tua Anda bisa menautkan diri dengan "
                "kode Anda (/kode) dan tanggal lahir Anda."
            )
        )
        return
    zone, language = context.settings.zone, context.language
    lines = [_("Orang tua/wali yang tertaut dengan Anda:")]
    lines += [
        _("• {name}, sejak {when}").format(
            name=g.name or "?", when=format_when(g.since, language, zone)
        )
        for g in guardians
    ]
    buttons = [
        [
            InlineKeyboardButton(
                _("Lepas tautan: {name}").format(name=g.name or "?")[:60],
                callback_data=f"pa:rm:{g.link_id}",
            )
        ]
        for g in guardians
    ]
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons)
    )


async def _typed_birth_date(update: Update, context: BotContext) -> date | None:
    """The child's birth date as typed, or None after saying what is wrong with it."""
    message = update.effective_message
    assert message and message.text
    try:
        return parse_birth_date(message.text, today=_now().astimezone(context.settings.zone).date())
    except DateError as error:
        await message.reply_text(context.gettext(DATE_PROBLEMS[error.problem]))
        return None


async def answer_child_date(update: Update, context: BotContext, account: Account) -> None:
    """The child's birth date after a code: link at once, or one neutral answer."""
    message = update.effective_message
    assert message and message.text and update.effective_user
    _ = context.gettext
    data = accounts.step_data(account)
    born = await _typed_birth_date(update, context)
    if born is None:
        return
    async with context.session() as session:
        fresh = await accounts.find(session, account.telegram_id)
        assert fresh is not None
        outcome, target = await family.link_by_code(
            session, fresh, str(data["code"]), born, name=update.effective_user.full_name
        )
        locked = await family.locked(session, fresh, _now())
        if outcome != Linking.REFUSED or locked:
            accounts.clear_step(fresh)
        summons = await summonses.for_target(session, target.id) if target else None
        if summons is not None and summons.state in summonses.EXPECTED:
            # Linked after the summons went out: shown below at once, reminders still ahead queued.
            await notices.linked_late(
                session,
                Recipient(fresh.telegram_id, fresh.language, fresh.id, parent=True),
                summons_id=summons.id,
                session_id=summons.session_id,
                starts_at=summons.starts_at,
                policy=notices.Policy.of(context.settings),
                now=_now(),
                include_summons=False,
            )
    if outcome == Linking.LINKED:
        assert target is not None
        await message.reply_text(
            _(
                "✅ Anda sekarang tertaut dengan {name}. Panggilan, pengingat dan setiap perubahan "
                "jadwal untuknya akan dikirim juga kepada Anda."
            ).format(name=target.name)
        )
        if summons is not None:
            await send_summons(context, update.effective_user.id, summons, parent=True)
    elif outcome == Linking.IS_TEEN:
        await message.reply_text(
            _("Itu kode Anda sendiri. Berikan kode ini kepada orang tua Anda.")
        )
    elif locked:
        await message.reply_text(_locked_text(context))
    else:
        await message.reply_text(
            _(
                "Maaf, kode atau tanggal lahir tidak cocok. Periksa lagi, lalu tulis tanggal lahir anak Anda."
            )
        )


async def ask_nik(update: Update, context: BotContext) -> None:
    """The NIK path, for a child without Telegram: ask the child's NIK."""
    query = update.callback_query
    assert query and update.effective_user and update.effective_chat
    async with context.session() as session:
        account = await accounts.ensure(session, update.effective_user.id, context.language)
        locked = await family.locked(session, account, _now())
        if not locked:
            accounts.set_step(account, "parent_nik")
    await query.answer()
    text = (
        _locked_text(context)
        if locked
        else context.gettext("Tulis NIK anak Anda (16 angka, ada di Kartu Keluarga).")
    )
    await update.effective_chat.send_message(text)


async def answer_child_nik(update: Update, context: BotContext, account: Account) -> None:
    message = update.effective_message
    assert message and message.text
    _ = context.gettext
    try:
        parsed = nik_rules.parse(
            message.text, today=_now().date(), regions=context.settings.office_region_codes
        )
    except nik_rules.NikError as error:
        digits = sum(c.isdigit() for c in message.text)
        await message.reply_text(_(NIK_PROBLEMS[error.problem]).format(count=digits))
        return
    async with context.session() as session:
        fresh = await accounts.find(session, account.telegram_id)
        assert fresh is not None
        accounts.set_step(fresh, "parent_nik_date", nik=str(parsed))
    await message.reply_text(_("Tulis tanggal lahir anak Anda (contoh: 12-03-2009)."))


async def answer_child_nik_date(update: Update, context: BotContext, account: Account) -> None:
    """NIK and birth date: a request for staff if they match, and the same answer if not."""
    message = update.effective_message
    assert message and message.text and update.effective_user
    _ = context.gettext
    data = accounts.step_data(account)
    born = await _typed_birth_date(update, context)
    if born is None:
        return
    async with context.session() as session:
        fresh = await accounts.find(session, account.telegram_id)
        assert fresh is not None
        matched = await family.request_by_nik(
            session, fresh, str(data["nik"]), born, name=update.effective_user.full_name
        )
        accounts.clear_step(fresh)
        locked = not matched and await family.locked(session, fresh, _now())
    if locked:
        await message.reply_text(_locked_text(context))
        return
    await message.reply_text(
        _(
            "Terima kasih. Bila data itu cocok dengan daftar sasaran, permintaan Anda diteruskan "
            "kepada petugas untuk disetujui, dan Anda akan dikabari di sini."
        )
    )


async def remove_link(update: Update, context: BotContext) -> None:
    """pa:rm:<link>: the parent or the child removes a link; anyone else changes nothing."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    _ = context.gettext
    link_id = query.data.removeprefix("pa:rm:")
    async with context.session() as session:
        account = await accounts.find(session, update.effective_user.id)
        done = (
            account is not None
            and link_id.isdigit()
            and await family.unlink(session, int(link_id), by=account)
        )
    if not done:
        await query.answer(_("Tombol ini sudah tidak berlaku."))
        return
    await query.answer()
    await query.edit_message_text(
        _("Tautan dilepas. Ketik /ortu untuk melihat tautan yang tersisa.")
    )


@guarded("parent_links")
async def show_requests(update: Update, context: BotContext, member: Staff) -> None:
    """Staff: NIK link requests waiting for a decision."""
    assert update.effective_chat
    _ = context.gettext
    if update.callback_query:
        await update.callback_query.answer()
    async with context.session() as session:
        requests = await family.pending(session)
    if not requests:
        await update.effective_chat.send_message(_("Tidak ada permintaan tautan orang tua."))
        return
    for request in requests[:20]:
        await update.effective_chat.send_message(
            _("Permintaan tautan: {parent} untuk {child} (NIK {nik}).").format(
                parent=request.parent or "?", child=request.child, nik=nik_rules.mask(request.nik)
            ),
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(_("✅ Setujui"), callback_data=f"pl:ok:{request.id}"),
                        InlineKeyboardButton(_("❌ Tolak"), callback_data=f"pl:no:{request.id}"),
                    ]
                ]
            ),
        )


@guarded("parent_links")
async def decide_request(update: Update, context: BotContext, member: Staff) -> None:
    query = update.callback_query
    assert query and query.data
    _ = context.gettext
    _prefix, verdict, number = query.data.split(":")
    async with context.session() as session:
        link = await family.decide(
            session,
            int(number),
            approve=verdict == "ok",
            staff_id=member.telegram_id,
            now=_now(),
            policy=notices.Policy.of(context.settings),
        )
    await query.answer()
    if link is None:
        await query.edit_message_text(_("Permintaan ini sudah diputuskan."))
    elif verdict == "ok":
        await query.edit_message_text(_("✅ Disetujui. Orang tua dikabari."))
    else:
        await query.edit_message_text(_("❌ Ditolak. Orang tua dikabari."))


def register(app: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    app.add_handler(
        CommandHandler("start", link_from_deep_link, filters=private & filters.Regex(_DEEP_LINK))
    )
    app.add_handler(CommandHandler("ortu", parents_command, filters=private))
    app.add_handler(CallbackQueryHandler(ask_nik, pattern=r"^pa:nik$"))
    app.add_handler(CallbackQueryHandler(remove_link, pattern=r"^pa:rm:\d{1,10}$"))
    app.add_handler(CallbackQueryHandler(show_requests, pattern=r"^st:parents$"))
    app.add_handler(CallbackQueryHandler(decide_request, pattern=r"^pl:(ok|no):\d{1,10}$"))
