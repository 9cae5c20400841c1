"""Every text a person reads, rendered once: bot replies, outbox messages, letters, files."""
