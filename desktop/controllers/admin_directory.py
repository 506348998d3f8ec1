"""Directory administration for the desktop, through the engine's directory functions (the same
rules and role checks as `callshield directory ...`). Each number is shown with its provenance:
who entered it, from what independent source, and when. Qt-free."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.controllers.workflow_session import WorkflowSession
from verification.trust.store import trust_state
from verification.workflow import directory
from verification.workflow.directory import KINDS, Entry, Phone
from verification.workflow.directory_signing import entry_problem, secret_problem
from verification.workflow.users import list_users

__all__ = ["KINDS", "DirectoryAdmin", "NumberRow"]


@dataclass(frozen=True)
class NumberRow:
    """A directory number and where it came from, as a person reads it."""

    phone: Phone
    entered_by: str

    def provenance(self) -> str:
        return f"entered by {self.entered_by} at {self.phone.entered_at} from {self.phone.source!r}"


class DirectoryAdmin:
    def __init__(self, session: WorkflowSession) -> None:
        self.session = session

    def reading(self) -> tuple[list[tuple[Entry, list[NumberRow]]], dict[str, str], dict[str, str]]:
        """What the page shows, from one read and one replay of the trust records (off the GUI thread):
        the entries with their numbers' provenance, contact name -> why call-backs cannot use it (no
        admin's signature, or rows changed in the database), and contact name -> why its enrolments
        (code phrase, TOTP, voiceprints) are not as an admin signed them."""
        with self.session.ctx.database.reading() as connection:
            names = {user.id: user.name for user in list_users(connection)}
            entries = directory.list_entries(connection)
            trust = trust_state(connection, self.session.ctx.pins)
            unsigned = {e.name: entry_problem(connection, trust, e.id) for e in entries}
            secrets = {e.name: secret_problem(connection, trust, e.id) for e in entries}
        rows = [(entry, [NumberRow(p, names.get(p.entered_by, f"user #{p.entered_by}")) for p in entry.phones])
                for entry in entries]
        return rows, {n: why for n, why in unsigned.items() if why}, {n: why for n, why in secrets.items() if why}

    def sign(self, name: str) -> Entry:
        """As `callshield directory sign NAME`: the admin signs the contact as it stands, after checking it."""
        ctx, user = self.session.acting()
        return directory.sign_existing(ctx, user, name)

    def add_entry(self, name: str, kind: str, organisation: str) -> Entry:
        ctx, user = self.session.acting()
        return directory.add_entry(ctx, user, name.strip(), kind, organisation.strip() or None)

    def add_phone(self, name: str, number: str, source: str, label: str) -> Phone:
        ctx, user = self.session.acting()
        return directory.add_phone(ctx, user, name, number, source, label.strip() or "main")

    def remove_phone(self, phone_id: int) -> None:
        ctx, user = self.session.acting()
        directory.remove_phone(ctx, user, phone_id)

    def set_code_phrase(self, name: str, phrase: str) -> None:
        """Slow (scrypt): call it on the task runner."""
        ctx, user = self.session.acting()
        directory.set_code_phrase(ctx, user, name, phrase)
