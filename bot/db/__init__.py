"""The office database: engine, session scope, models and migrations."""
