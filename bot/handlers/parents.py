"""Parents and guardians in the chat: /ortu (link with the child's code, or NIK and birth date
for a child without Telegram) and the child's side of /ortu (who is linked). Removing a link is
in bot/handlers/unlinking.py; staff approving NIK requests in bot/handlers/staff_parent_links.py."""

from __future__ import annotations

import re
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.domain import nik as nik_rules
from bot.domain.dates import DateError, parse_birth_date
from bot.domain.kinds import LinkState
from bot.domain.steps import Step
from bot.handlers.replies import send_summons
from bot.i18n import format_when
from bot.presentation import privacy, texts
from bot.presentation.buttons import GUARDIANS, AskNik, AskRemove
from bot.presentation.summons import guardian_label
from bot.services import conversations, family, guardians
from bot.services.conversations import Conversation
from bot.services.guardians import Linking

_CODE = re.compile(r"^[A-Za-z0-9]{6,16}$")
DEEP_LINK = r"^/start ortu_[A-Za-z0-9]{6,16}$"


async def _ask_child_date(update: Update, context: BotContext, code: str) -> None:
    """A code was given: the child's birth date proves the parent knows the child."""
    assert update.effective_message and update.effective_user
    _ = context.gettext
    async with context.session() as session:
        convo = await conversations.ensure(session, update.effective_user.id, context.language)
        lock = await guardians.link_lock(
            session, convo.telegram_id, code, via_nik=False, now=context.clock.now()
        )
        if lock is None:
            await conversations.go(
                session, convo.account_id, Step.PARENT_CODE_DATE, code=code.upper()
            )
    if lock is not None:
        await update.effective_message.reply_text(
            texts.locked(lock.until, _, context.language, context.office.zone)
        )
        return
    await update.effective_message.reply_text(
        texts.with_way_out(
            _(
                "Tulis tanggal lahir anak Anda (contoh: 12-03-2009) untuk memastikan bahwa ini "
                "anak Anda."
            ),
            _,
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
        convo = await conversations.ensure(session, update.effective_user.id, context.language)
        if convo.target_id is not None:
            guardians = await family.guardians_of(session, convo.target_id)
            children = None
        else:
            guardians, children = None, await family.children_of_account(session, convo.account_id)
    if guardians is not None:
        await _show_guardians(update, context, guardians)
        return
    lines = []
    buttons = []
    for child in children or []:
        # A request waiting for staff names nobody: its name would tell that the NIK typed
        # for it is on the list (a NIK on no list leaves no request at all).
        if child.state == LinkState.ACTIVE:
            label = _("Putuskan hubungan dengan {name}").format(name=child.name)
            lines.append(_("• {name} (terhubung)").format(name=child.name))
        else:
            label = _("Batalkan permintaan yang menunggu petugas")
            lines.append(_("• Permintaan terhubung yang menunggu petugas"))
        buttons.append(
            [
                InlineKeyboardButton(
                    texts.shorten(label),
                    callback_data=GUARDIANS.encode(AskRemove(child.link_id)),
                )
            ]
        )
    buttons.append(
        [
            InlineKeyboardButton(
                _("Anak tanpa Telegram: pakai NIK"),
                callback_data=GUARDIANS.encode(AskNik()),
            )
        ]
    )
    intro = _(
        "Untuk terhubung dengan anak Anda, minta kodenya (anak Anda mengetik /kode), lalu tulis: "
        "/ortu KODE"
    )
    text = "\n".join([_("Anak Anda yang terhubung:"), *lines, "", intro]) if lines else intro
    await update.effective_message.reply_text(text, reply_markup=InlineKeyboardMarkup(buttons))


async def _show_guardians(
    update: Update, context: BotContext, guardians: list[family.Guardian]
) -> None:
    assert update.effective_message
    _ = context.gettext
    if not guardians:
        await update.effective_message.reply_text(
            _(
                "Belum ada orang tua/wali yang terhubung. Orang tua Anda bisa menghubungkan diri dengan "
                "kode Anda (/kode) dan tanggal lahir Anda."
            )
        )
        return
    zone, language = context.office.zone, context.language
    lines = [_("Orang tua/wali yang terhubung dengan Anda:")]
    lines += [
        _("• {name}, sejak {when}").format(
            name=guardian_label(g.name, _, start=True), when=format_when(g.since, language, zone)
        )
        for g in guardians
    ]
    buttons = [
        [
            InlineKeyboardButton(
                texts.shorten(_("Putuskan hubungan dengan {name}").format(name=g.name or "?")),
                callback_data=GUARDIANS.encode(AskRemove(g.link_id)),
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
        return parse_birth_date(message.text, today=context.clock.today())
    except DateError as error:
        _ = context.gettext
        await message.reply_text(texts.with_way_out(_(texts.DATE_PROBLEMS[error.problem]), _))
        return None


async def answer_child_date(update: Update, context: BotContext, convo: Conversation) -> None:
    """The child's birth date after a code: link at once, or one neutral answer."""
    message = update.effective_message
    assert message and update.effective_user
    _ = context.gettext
    born = await _typed_birth_date(update, context)
    if born is None:
        return
    async with context.session() as session:
        linked = await guardians.link_by_code(
            session,
            convo.telegram_id,
            str(convo.data["code"]),
            born,
            name=update.effective_user.full_name,
            now=context.clock.now(),
            policy=context.office.policy,
        )
    if linked.outcome == Linking.LINKED:
        await message.reply_text(
            _(
                "✅ Anda sekarang terhubung dengan {name}. Panggilan, pengingat dan setiap perubahan "
                "jadwal untuknya akan dikirim juga kepada Anda."
            ).format(name=linked.name)
            + "\n\n"
            + privacy.held_for_guardian(linked.name or "", _, context.language, context.settings)
        )
        if linked.summons is not None:
            await send_summons(context, update.effective_user.id, linked.summons, parent=True)
    elif linked.outcome == Linking.IS_TEEN:
        await message.reply_text(
            _("Itu kode Anda sendiri. Berikan kode ini kepada orang tua Anda.")
        )
    elif linked.outcome == Linking.PENDING:
        await message.reply_text(
            _(
                "Kode surat undangan ini sudah dipakai untuk menghubungkan orang tua/wali lain. Permintaan Anda "
                "diteruskan kepada petugas untuk diperiksa; bila disetujui, Anda akan dikabari "
                "di sini. Bila dalam 3 hari kerja tidak ada kabar, datanglah ke kantor Dukcapil "
                "dengan membawa Kartu Keluarga."
            )
        )
    elif linked.outcome == Linking.LOCKED:
        assert linked.locked_until is not None
        await message.reply_text(
            texts.locked(linked.locked_until, _, context.language, context.office.zone)
        )
    else:
        await message.reply_text(
            texts.warned(
                _(
                    "Maaf, kode atau tanggal lahir tidak cocok. Periksa lagi, lalu tulis tanggal "
                    "lahir anak Anda."
                ),
                linked.tries_left,
                _,
            )
        )


async def ask_nik(update: Update, context: BotContext) -> None:
    """The NIK path, for a child without Telegram: ask the child's NIK."""
    query = update.callback_query
    assert query and update.effective_user and update.effective_chat
    _ = context.gettext
    async with context.session() as session:
        convo = await conversations.ensure(session, update.effective_user.id, context.language)
        lock = await guardians.link_lock(
            session, convo.telegram_id, None, via_nik=True, now=context.clock.now()
        )
        if lock is None:
            await conversations.go(session, convo.account_id, Step.PARENT_NIK)
    await query.answer()
    text = (
        texts.locked(lock.until, _, context.language, context.office.zone)
        if lock is not None
        else texts.with_way_out(_("Tulis NIK anak Anda (16 angka, ada di Kartu Keluarga)."), _)
    )
    await update.effective_chat.send_message(text)


async def answer_child_nik(update: Update, context: BotContext, convo: Conversation) -> None:
    message = update.effective_message
    assert message and message.text
    _ = context.gettext
    try:
        parsed = nik_rules.parse(
            message.text, today=context.clock.today(), regions=context.settings.office_region_codes
        )
    except nik_rules.NikError as error:
        await message.reply_text(texts.with_way_out(texts.nik_problem(error, message.text, _), _))
        return
    async with context.session() as session:
        await guardians.nik_typed(session, convo.account_id, str(parsed), after=convo.step)
    await message.reply_text(
        texts.with_way_out(_("Tulis tanggal lahir anak Anda (contoh: 12-03-2009)."), _)
    )


async def answer_child_nik_date(update: Update, context: BotContext, convo: Conversation) -> None:
    """NIK and birth date: a request for staff if they match, and the same answer if not."""
    message = update.effective_message
    assert message and update.effective_user
    _ = context.gettext
    born = await _typed_birth_date(update, context)
    if born is None:
        return
    async with context.session() as session:
        linked = await guardians.request_by_nik(
            session,
            convo.telegram_id,
            str(convo.data["nik_hash"]),
            born,
            name=update.effective_user.full_name,
            now=context.clock.now(),
        )
    if linked.outcome == Linking.LOCKED:
        assert linked.locked_until is not None
        await message.reply_text(
            texts.locked(linked.locked_until, _, context.language, context.office.zone)
        )
        return
    await message.reply_text(
        texts.warned(
            _(
                "Terima kasih. Bila data itu cocok dengan daftar sasaran, permintaan Anda "
                "diteruskan kepada petugas; bila disetujui, Anda akan dikabari di sini. Bila "
                "dalam 3 hari kerja tidak ada kabar, datanglah ke kantor Dukcapil dengan membawa "
                "Kartu Keluarga."
            ),
            linked.tries_left,
            _,
        )
    )
