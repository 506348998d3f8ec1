"""The schema as SQLAlchemy Core tables. Migrations in `migrations/versions` create exactly this.

Times are ISO 8601 UTC text (see clock.py); JSON documents are text written canonically so that
what was hashed or signed is byte-for-byte what is stored, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from sqlalchemy import (Boolean, Column, ForeignKey, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", "pk": "pk_%(table_name)s"}
metadata = MetaData(naming_convention=NAMING)

TIME = String(32)

meta = Table("meta", metadata,
             Column("key", String(64), primary_key=True),
             Column("value", Text, nullable=False))

users = Table("users", metadata,
              Column("id", Integer, primary_key=True, autoincrement=True),
              Column("name", String(64), nullable=False, unique=True),
              Column("display_name", String(200), nullable=False),
              Column("roles", String(100), nullable=False),  # sorted, comma-separated
              Column("password_hash", String(300), nullable=False),
              Column("os_account", String(64), nullable=True, unique=True),
              Column("active", Boolean, nullable=False),
              Column("created_at", TIME, nullable=False),
              Column("created_by", Integer, nullable=True),
              # admin role granted by this admin, waiting for a second admin's confirmation
              Column("pending_admin_by", Integer, nullable=True))

admin_keys = Table("admin_keys", metadata,
                   Column("key_id", String(32), primary_key=True),
                   Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
                   Column("public_key", String(64), nullable=False),
                   Column("added_at", TIME, nullable=False),
                   Column("revoked_at", TIME, nullable=True))

directory_entries = Table("directory_entries", metadata,
                          Column("id", Integer, primary_key=True, autoincrement=True),
                          Column("name", String(200), nullable=False, unique=True),
                          Column("kind", String(20), nullable=False),
                          Column("organisation", String(200), nullable=True),
                          Column("phrase_hash", String(300), nullable=True),
                          Column("totp_secret", String(64), nullable=True),
                          Column("totp_last_step", Integer, nullable=True),
                          Column("created_at", TIME, nullable=False),
                          Column("created_by", Integer, ForeignKey("users.id"), nullable=False),
                          Column("active", Boolean, nullable=False))

directory_phones = Table("directory_phones", metadata,
                         Column("id", Integer, primary_key=True, autoincrement=True),
                         Column("entry_id", Integer, ForeignKey("directory_entries.id"), nullable=False),
                         Column("number", String(32), nullable=False),
                         Column("label", String(100), nullable=False),
                         Column("source", Text, nullable=False),
                         Column("entered_by", Integer, ForeignKey("users.id"), nullable=False),
                         Column("entered_at", TIME, nullable=False),
                         Column("active", Boolean, nullable=False),
                         Column("removed_at", TIME, nullable=True),
                         Column("removed_by", Integer, ForeignKey("users.id"), nullable=True))

voiceprints = Table("voiceprints", metadata,
                    Column("id", Integer, primary_key=True, autoincrement=True),
                    Column("entry_id", Integer, ForeignKey("directory_entries.id"), nullable=False),
                    Column("model_id", String(100), nullable=False),
                    Column("embedding", Text, nullable=False),
                    Column("enrolled_by", Integer, ForeignKey("users.id"), nullable=False),
                    Column("enrolled_at", TIME, nullable=False))

policies = Table("policies", metadata,
                 Column("version", Integer, primary_key=True, autoincrement=False),
                 Column("schema_version", Integer, nullable=False),
                 Column("document", Text, nullable=False),
                 Column("document_sha256", String(64), nullable=False),
                 Column("based_on_sha256", String(64), nullable=False),
                 Column("weakens", Text, nullable=False),  # JSON list of what it relaxes
                 Column("state", String(20), nullable=False),  # proposed | active | withdrawn
                 Column("proposed_by", Integer, ForeignKey("users.id"), nullable=False),
                 Column("proposed_at", TIME, nullable=False),
                 Column("activated_at", TIME, nullable=True))

policy_signatures = Table("policy_signatures", metadata,
                          Column("id", Integer, primary_key=True, autoincrement=True),
                          Column("policy_version", Integer, ForeignKey("policies.version"), nullable=False),
                          Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
                          Column("key_id", String(32), nullable=False),
                          Column("signature", String(200), nullable=False),
                          Column("signed_at", TIME, nullable=False),
                          UniqueConstraint("policy_version", "user_id", name="uq_policy_signatures_signer"))

requests = Table("requests", metadata,
                 Column("id", Integer, primary_key=True, autoincrement=True),
                 Column("kind", String(30), nullable=False),
                 Column("state", String(20), nullable=False),
                 Column("amount", String(40), nullable=False),
                 Column("currency", String(3), nullable=False),
                 Column("counterparty_id", Integer, ForeignKey("directory_entries.id"), nullable=False),
                 Column("beneficiary", Text, nullable=False),
                 Column("claimed_contact", String(64), nullable=True),
                 Column("requester_id", Integer, ForeignKey("users.id"), nullable=False),
                 Column("call", Text, nullable=False),
                 Column("verdict_level", String(20), nullable=False),
                 Column("checklist", Text, nullable=False),
                 Column("note", Text, nullable=False),
                 Column("policy_version", Integer, nullable=True),
                 Column("requirements", Text, nullable=True),
                 Column("created_at", TIME, nullable=False),
                 Column("submitted_at", TIME, nullable=True),
                 Column("held_until", TIME, nullable=True),
                 Column("expires_at", TIME, nullable=True),
                 Column("decided_at", TIME, nullable=True),
                 Column("decided_by", Integer, ForeignKey("users.id"), nullable=True),
                 Column("reason", Text, nullable=True),
                 Column("version", Integer, nullable=False))

steps = Table("steps", metadata,
              Column("id", Integer, primary_key=True, autoincrement=True),
              Column("request_id", Integer, ForeignKey("requests.id"), nullable=False),
              Column("kind", String(20), nullable=False),
              Column("outcome", String(10), nullable=False),
              Column("actor_id", Integer, ForeignKey("users.id"), nullable=False),
              Column("at", TIME, nullable=False),
              Column("details", Text, nullable=False))

one_time_codes = Table("one_time_codes", metadata,
                       Column("id", Integer, primary_key=True, autoincrement=True),
                       Column("request_id", Integer, ForeignKey("requests.id"), nullable=False),
                       Column("code_hash", String(300), nullable=False),  # scrypt$n$r$p$salt$digest
                       Column("salt", String(32), nullable=False),  # "" since 0004: the hash holds its salt
                       Column("issued_by", Integer, ForeignKey("users.id"), nullable=False),
                       Column("issued_at", TIME, nullable=False),
                       Column("expires_at", TIME, nullable=False),
                       Column("used_at", TIME, nullable=True),
                       Column("failures", Integer, nullable=False))

signin_failures = Table("signin_failures", metadata,  # failed sign-ins per account name (rate limit)
                        Column("id", Integer, primary_key=True, autoincrement=True),
                        Column("account", String(64), nullable=False, index=True),
                        Column("at", TIME, nullable=False))

audit_keys = Table("audit_keys", metadata,
                   Column("key_id", String(32), primary_key=True),
                   Column("public_key", String(64), nullable=False),
                   Column("label", String(200), nullable=False),
                   Column("registered_at", TIME, nullable=False))

audit_head = Table("audit_head", metadata,
                   Column("id", Integer, primary_key=True, autoincrement=False),
                   Column("seq", Integer, nullable=False),
                   Column("hash", String(64), nullable=False))

audit_log = Table("audit_log", metadata,
                  Column("seq", Integer, primary_key=True, autoincrement=False),
                  Column("prev_hash", String(64), nullable=False),
                  Column("hash", String(64), nullable=False),
                  Column("key_id", String(32), nullable=False),
                  Column("signature", String(200), nullable=False),
                  Column("body", Text, nullable=False))

# Per-person signing keys, sealed by the owner's password (see verification/trust/sealed.py).
user_keys = Table("user_keys", metadata,
                  Column("key_id", String(32), primary_key=True),
                  Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
                  Column("public_key", String(64), nullable=False),
                  Column("sealed", Text, nullable=False),
                  Column("created_at", TIME, nullable=False))

# Signed key registrations and role grants; replayed from the pinned root (verification/trust/records.py).
trust_records = Table("trust_records", metadata,
                      Column("id", Integer, primary_key=True, autoincrement=True),
                      Column("kind", String(20), nullable=False),
                      Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
                      Column("body", Text, nullable=False),
                      Column("signatures", Text, nullable=False),  # JSON list of {key_id, signature}
                      Column("state", String(10), nullable=False))  # pending | done (an index; replay decides)

# Each person's signed statement about a request: what they did, over the request's canonical content.
statements = Table("statements", metadata,
                   Column("id", Integer, primary_key=True, autoincrement=True),
                   Column("request_id", Integer, ForeignKey("requests.id"), nullable=False, index=True),
                   Column("kind", String(20), nullable=False),
                   Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
                   Column("key_id", String(32), nullable=False),
                   Column("body", Text, nullable=False),
                   Column("signature", String(200), nullable=False))
