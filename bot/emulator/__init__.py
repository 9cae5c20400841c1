"""A local Telegram Bot API emulator: what tests and `rekam demo` talk to instead of Telegram."""

from bot.emulator.client import ReceivedMessage, UserClient
from bot.emulator.limits import Limits
from bot.emulator.state import TelegramEmulator

__all__ = ["Limits", "ReceivedMessage", "TelegramEmulator", "UserClient"]
