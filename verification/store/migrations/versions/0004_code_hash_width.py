"""One-time codes are kept as scrypt hashes (`scrypt$n$r$p$salt$digest`, about 90 characters).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

SQLite does not enforce VARCHAR lengths, so only PostgreSQL needs the wider column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("one_time_codes", "code_hash", type_=sa.String(300), existing_type=sa.String(64),
                        existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DELETE FROM one_time_codes")  # scrypt hashes do not fit the old width; codes are short-lived
        op.alter_column("one_time_codes", "code_hash", type_=sa.String(64), existing_type=sa.String(300),
                        existing_nullable=False)
