"""Use cases over a database session and plain values; nothing here knows about Telegram."""
