"""Rekam: the Telegram bot and office tooling for first-time voters' e-KTP recording."""
