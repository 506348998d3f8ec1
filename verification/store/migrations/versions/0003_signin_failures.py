"""Failed sign-ins per account name, for rate limiting (each is also an audit record).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("signin_failures",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("account", sa.String(64), nullable=False),
                    sa.Column("at", sa.String(32), nullable=False))
    op.create_index("ix_signin_failures_account", "signin_failures", ["account"])


def downgrade() -> None:
    op.drop_index("ix_signin_failures_account", table_name="signin_failures")
    op.drop_table("signin_failures")
