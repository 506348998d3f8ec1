"""Persistence: SQLAlchemy Core tables, Alembic migrations run at open, SQLite (default) or PostgreSQL."""
