"""Bring a database's schema to the newest Alembic revision, from inside the installed package."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

SCRIPT_LOCATION = "verification.store:migrations"
# Any fixed number: serialises two processes migrating the same PostgreSQL database at once.
PG_MIGRATION_LOCK = 7_262_021


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_schema(connection: Connection) -> bool:
    """Upgrade inside the caller's transaction; True when something was migrated."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK})
    if current_revision(connection) == head_revision():
        return False
    command.upgrade(alembic_config(connection), "head")
    return True
