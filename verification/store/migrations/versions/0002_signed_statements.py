"""Per-person sealed keys, signed trust records (key registrations, role grants) and signed statements.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

T = sa.String(32)


def upgrade() -> None:
    op.create_table("user_keys",
                    sa.Column("key_id", sa.String(32), primary_key=True),
                    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("public_key", sa.String(64), nullable=False),
                    sa.Column("sealed", sa.Text, nullable=False),
                    sa.Column("created_at", T, nullable=False))
    op.create_table("trust_records",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("kind", sa.String(20), nullable=False),
                    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("body", sa.Text, nullable=False),
                    sa.Column("signatures", sa.Text, nullable=False),
                    sa.Column("state", sa.String(10), nullable=False))
    op.create_table("statements",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("request_id", sa.Integer, sa.ForeignKey("requests.id"), nullable=False),
                    sa.Column("kind", sa.String(20), nullable=False),
                    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("key_id", sa.String(32), nullable=False),
                    sa.Column("body", sa.Text, nullable=False),
                    sa.Column("signature", sa.String(200), nullable=False))
    op.create_index("ix_statements_request_id", "statements", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_statements_request_id", "statements")
    op.drop_table("statements")
    op.drop_table("trust_records")
    op.drop_table("user_keys")
