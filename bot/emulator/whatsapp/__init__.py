"""A local WhatsApp Cloud API emulator: what tests and `rekam demo` talk to instead of Meta."""

from bot.emulator.whatsapp.limits import Limits
from bot.emulator.whatsapp.server import WhatsAppEmulatorApp, in_process_client, serve
from bot.emulator.whatsapp.state import Fault, WebhookConfig, WhatsAppEmulator

__all__ = [
    "Fault",
    "Limits",
    "WebhookConfig",
    "WhatsAppEmulator",
    "WhatsAppEmulatorApp",
    "in_process_client",
    "serve",
]
