"""The office dashboard: server-rendered pages on the same services as the bot and the
command line, for staff signed in with a one-time link from /dasbor (bot/services/web_access)."""
