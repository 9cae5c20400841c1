"""One package per channel beyond Telegram: its sender and its inbound front end."""
