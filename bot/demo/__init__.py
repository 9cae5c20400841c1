"""`rekam demo`: the bot, the emulator and a sample office in one process, no network."""
