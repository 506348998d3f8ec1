"""Initial schema: users, directory, policies, requests and steps, one-time codes, audit log.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Frozen here on purpose: later changes to tables.py come with their own revision.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

T = sa.String(32)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table("meta", sa.Column("key", sa.String(64), primary_key=True),
                    sa.Column("value", sa.Text, nullable=False))
    op.create_table("users", _id(),
                    sa.Column("name", sa.String(64), nullable=False, unique=True),
                    sa.Column("display_name", sa.String(200), nullable=False),
                    sa.Column("roles", sa.String(100), nullable=False),
                    sa.Column("password_hash", sa.String(300), nullable=False),
                    sa.Column("os_account", sa.String(64), nullable=True, unique=True),
                    sa.Column("active", sa.Boolean, nullable=False),
                    sa.Column("created_at", T, nullable=False),
                    sa.Column("created_by", sa.Integer, nullable=True),
                    sa.Column("pending_admin_by", sa.Integer, nullable=True))
    op.create_table("admin_keys", sa.Column("key_id", sa.String(32), primary_key=True),
                    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("public_key", sa.String(64), nullable=False),
                    sa.Column("added_at", T, nullable=False),
                    sa.Column("revoked_at", T, nullable=True))
    op.create_table("directory_entries", _id(),
                    sa.Column("name", sa.String(200), nullable=False, unique=True),
                    sa.Column("kind", sa.String(20), nullable=False),
                    sa.Column("organisation", sa.String(200), nullable=True),
                    sa.Column("phrase_hash", sa.String(300), nullable=True),
                    sa.Column("totp_secret", sa.String(64), nullable=True),
                    sa.Column("totp_last_step", sa.Integer, nullable=True),
                    sa.Column("created_at", T, nullable=False),
                    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("active", sa.Boolean, nullable=False))
    op.create_table("directory_phones", _id(),
                    sa.Column("entry_id", sa.Integer, sa.ForeignKey("directory_entries.id"), nullable=False),
                    sa.Column("number", sa.String(32), nullable=False),
                    sa.Column("label", sa.String(100), nullable=False),
                    sa.Column("source", sa.Text, nullable=False),
                    sa.Column("entered_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("entered_at", T, nullable=False),
                    sa.Column("active", sa.Boolean, nullable=False),
                    sa.Column("removed_at", T, nullable=True),
                    sa.Column("removed_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True))
    op.create_table("voiceprints", _id(),
                    sa.Column("entry_id", sa.Integer, sa.ForeignKey("directory_entries.id"), nullable=False),
                    sa.Column("model_id", sa.String(100), nullable=False),
                    sa.Column("embedding", sa.Text, nullable=False),
                    sa.Column("enrolled_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("enrolled_at", T, nullable=False))
    op.create_table("policies", sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
                    sa.Column("schema_version", sa.Integer, nullable=False),
                    sa.Column("document", sa.Text, nullable=False),
                    sa.Column("document_sha256", sa.String(64), nullable=False),
                    sa.Column("based_on_sha256", sa.String(64), nullable=False),
                    sa.Column("weakens", sa.Text, nullable=False),
                    sa.Column("state", sa.String(20), nullable=False),
                    sa.Column("proposed_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("proposed_at", T, nullable=False),
                    sa.Column("activated_at", T, nullable=True))
    op.create_table("policy_signatures", _id(),
                    sa.Column("policy_version", sa.Integer, sa.ForeignKey("policies.version"), nullable=False),
                    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("key_id", sa.String(32), nullable=False),
                    sa.Column("signature", sa.String(200), nullable=False),
                    sa.Column("signed_at", T, nullable=False),
                    sa.UniqueConstraint("policy_version", "user_id", name="uq_policy_signatures_signer"))
    op.create_table("requests", _id(),
                    sa.Column("kind", sa.String(30), nullable=False),
                    sa.Column("state", sa.String(20), nullable=False),
                    sa.Column("amount", sa.String(40), nullable=False),
                    sa.Column("currency", sa.String(3), nullable=False),
                    sa.Column("counterparty_id", sa.Integer, sa.ForeignKey("directory_entries.id"), nullable=False),
                    sa.Column("beneficiary", sa.Text, nullable=False),
                    sa.Column("claimed_contact", sa.String(64), nullable=True),
                    sa.Column("requester_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("call", sa.Text, nullable=False),
                    sa.Column("verdict_level", sa.String(20), nullable=False),
                    sa.Column("checklist", sa.Text, nullable=False),
                    sa.Column("note", sa.Text, nullable=False),
                    sa.Column("policy_version", sa.Integer, nullable=True),
                    sa.Column("requirements", sa.Text, nullable=True),
                    sa.Column("created_at", T, nullable=False),
                    sa.Column("submitted_at", T, nullable=True),
                    sa.Column("held_until", T, nullable=True),
                    sa.Column("expires_at", T, nullable=True),
                    sa.Column("decided_at", T, nullable=True),
                    sa.Column("decided_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
                    sa.Column("reason", sa.Text, nullable=True),
                    sa.Column("version", sa.Integer, nullable=False))
    op.create_table("steps", _id(),
                    sa.Column("request_id", sa.Integer, sa.ForeignKey("requests.id"), nullable=False),
                    sa.Column("kind", sa.String(20), nullable=False),
                    sa.Column("outcome", sa.String(10), nullable=False),
                    sa.Column("actor_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("at", T, nullable=False),
                    sa.Column("details", sa.Text, nullable=False))
    op.create_table("one_time_codes", _id(),
                    sa.Column("request_id", sa.Integer, sa.ForeignKey("requests.id"), nullable=False),
                    sa.Column("code_hash", sa.String(64), nullable=False),
                    sa.Column("salt", sa.String(32), nullable=False),
                    sa.Column("issued_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("issued_at", T, nullable=False),
                    sa.Column("expires_at", T, nullable=False),
                    sa.Column("used_at", T, nullable=True),
                    sa.Column("failures", sa.Integer, nullable=False))
    op.create_table("audit_keys", sa.Column("key_id", sa.String(32), primary_key=True),
                    sa.Column("public_key", sa.String(64), nullable=False),
                    sa.Column("label", sa.String(200), nullable=False),
                    sa.Column("registered_at", T, nullable=False))
    head = op.create_table("audit_head", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                           sa.Column("seq", sa.Integer, nullable=False),
                           sa.Column("hash", sa.String(64), nullable=False))
    op.create_table("audit_log", sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
                    sa.Column("prev_hash", sa.String(64), nullable=False),
                    sa.Column("hash", sa.String(64), nullable=False),
                    sa.Column("key_id", sa.String(32), nullable=False),
                    sa.Column("signature", sa.String(200), nullable=False),
                    sa.Column("body", sa.Text, nullable=False))
    op.create_index("ix_steps_request_id", "steps", ["request_id"])
    op.create_index("ix_requests_state", "requests", ["state"])
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    # Names this database in local audit anchors, so a swapped database is noticed.
    op.bulk_insert(meta, [{"key": "database_id", "value": uuid.uuid4().hex}])


def downgrade() -> None:
    for name in ("audit_log", "audit_head", "audit_keys", "one_time_codes", "steps", "requests",
                 "policy_signatures", "policies", "voiceprints", "directory_phones", "directory_entries",
                 "admin_keys", "users", "meta"):
        op.drop_table(name)
