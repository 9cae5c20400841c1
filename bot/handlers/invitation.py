"""The invitation letter: /start <code> from the paper letter's QR, then the birth date."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.domain.dates import DateError, parse_birth_date
from bot.domain.steps import Step
from bot.handlers.replies import welcome_linked
from bot.presentation import texts
from bot.services import answers, conversations, registration, staff
from bot.services.conversations import Conversation
from bot.services.registration import Claim

PAYLOAD = r"^/start [A-Za-z0-9]{6,16}$"


async def open_invitation(update: Update, context: BotContext) -> None:
    """/start <code>: an invitation link; ask for the birth date before linking anything."""
    assert context.args
    await _open(update, context, context.args[0].upper())


async def typed_code(update: Update, context: BotContext) -> None:
    """The letter's code typed in the chat (no QR scanned): the same as its link."""
    assert update.effective_message and update.effective_message.text
    await _open(update, context, update.effective_message.text.strip().upper())


async def _open(update: Update, context: BotContext, code: str) -> None:
    assert update.effective_message and update.effective_user
    _ = context.gettext
    user_id = update.effective_user.id
    async with context.session() as session:
        convo = await conversations.ensure(session, user_id, context.language)
        mine = await answers.mine(session, user_id)
        # A parent or a staff member never becomes the teen of a letter they hold.
        someone_else = mine.children is not None or await staff.member(session, user_id) is not None
        lock = await registration.invitation_lock(session, user_id, code, now=context.clock.now())
        if not mine.registered and not someone_else and lock is None:
            await conversations.go(session, convo.account_id, Step.INVITE_DATE, code=code)
        elif convo.step is not None:
            await conversations.end(session, convo.account_id)  # a letter ends any other step
    if mine.children is not None:
        await update.effective_message.reply_text(
            _(
                "Anda terdaftar sebagai orang tua/wali. Untuk terhubung dengan anak Anda lewat kode ini, "
                "tulis: /ortu {code}"
            ).format(code=code)
        )
    elif someone_else:
        await update.effective_message.reply_text(
            _(
                "Ini kode surat undangan seorang remaja. Untuk mencatat kehadiran, pindai QR dari "
                "/kode remaja itu atau ketik /hadir lalu kode kehadirannya."
            )
        )
    elif mine.registered:
        await update.effective_message.reply_text(
            _(
                "Akun ini sudah terhubung dengan data {name}. Ketik /jadwal untuk jadwal Anda."
            ).format(name=mine.name)
        )
    elif lock is not None:
        await update.effective_message.reply_text(
            texts.locked(lock.until, _, context.language, context.office.zone)
        )
    else:
        await update.effective_message.reply_text(
            texts.with_way_out(
                _(
                    "Halo! Anda membuka undangan perekaman KTP-el dari {office}. Untuk memastikan "
                    "ini benar Anda, tulis tanggal lahir Anda (contoh: 12-03-2008).\n\nGanti "
                    "bahasa: /bahasa"
                ).format(office=context.settings.office_name),
                _,
            )
        )


async def answer_invitation(update: Update, context: BotContext, convo: Conversation) -> None:
    """The birth date for an invitation: link, or one neutral answer whatever was wrong."""
    assert update.effective_message and update.effective_message.text
    _ = context.gettext
    try:
        born = parse_birth_date(update.effective_message.text, today=context.clock.today())
    except DateError as error:
        await update.effective_message.reply_text(
            texts.with_way_out(_(texts.DATE_PROBLEMS[error.problem]), _)
        )
        return
    async with context.session() as session:
        result = await registration.claim_invitation(
            session,
            convo.telegram_id,
            str(convo.data["code"]),
            born,
            now=context.clock.now(),
            policy=context.office.policy,
        )
        if result.outcome == Claim.LOCKED:
            await conversations.end(session, convo.account_id)
    if result.outcome == Claim.LINKED:
        await welcome_linked(update, context, result)
    elif result.outcome == Claim.LOCKED:
        assert result.locked_until is not None
        await update.effective_message.reply_text(
            texts.locked(result.locked_until, _, context.language, context.office.zone)
        )
    else:
        await update.effective_message.reply_text(
            texts.warned(
                _(
                    "Maaf, kode undangan atau tanggal lahir tidak cocok. Periksa surat undangan "
                    "Anda, lalu tulis lagi tanggal lahir Anda."
                ),
                result.tries_left,
                _,
            )
            + "\n\n"
            + _(texts.WAY_OUT)
        )
