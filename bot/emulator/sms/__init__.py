"""A local SMS Gateway for Android (https://sms-gate.app) emulator: the phone that sends the
office's SMS, its 3rd-party API and its signed webhooks, for tests, the demo and benchmarks."""

from bot.emulator.sms.server import IN_PROCESS_BASE_URL, SmsGatewayApp, in_process_transport, serve
from bot.emulator.sms.state import SmsGatewayEmulator
from bot.emulator.sms.values import Fault, Pace

__all__ = [
    "IN_PROCESS_BASE_URL",
    "Fault",
    "Pace",
    "SmsGatewayApp",
    "SmsGatewayEmulator",
    "in_process_transport",
    "serve",
]
