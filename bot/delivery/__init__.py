"""Outbox dispatcher, pacing and reminder jobs."""
