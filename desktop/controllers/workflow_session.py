"""The signed-in workflow session of the desktop app: the engine's Context (database, audit log,
clock, hasher) opened like the CLI opens it, the authenticated user, and thin calls into the
engine's own functions. No rule lives here; the engine decides and refuses.

Qt-free on purpose: the views call it, the tests drive it directly."""

from __future__ import annotations

import json
import os
import platform
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from sqlalchemy import func, select

from verification.audit.anchor import AnchorFile
from verification.audit.anchored_check import AnchoredCheck, verify_anchored
from verification.audit.pack import build_pack
from verification.audit.pack_verify import verify_pack
from verification.audit.pack_html import render_pack_html
from verification.audit.verify import read_records
from verification.errors import AuditError, AuthError
from verification.store.change_notice import ChangeListener, change_listener
from verification.store.database import open_database
from verification.store.server_clock import database_clock
from verification.store.location import resolve_data_dir, resolve_db_url
from verification.store.tables import audit_log
from verification.store.tables import users as users_table
from verification.workflow import confirmations, lifecycle
from verification.trust.pinning import pin_root, read_root_file
from verification.trust.root import RootPins, TrustRoot
from verification.trust.store import pinned_root
from verification.workflow.context import Context
from verification.workflow.installations import (installation_audit_log, installation_registered,
                                                 register_installation)
from verification.workflow.directory import Entry, list_entries
from verification.workflow.roles import User
from verification.workflow.secrets_hash import SlowHasher
from verification.workflow.users import authenticate, bootstrap_admins, set_password
from verification.workflow.waiting import must_set_own_password
from verification.workflow.states import FINAL
from verification.workflow.views import list_requests, request_view, request_views

ContextFactory = Callable[[], tuple[Context, Path]]


def default_context_factory(db: str | None = None, data_dir: str | None = None,
                            environ: Mapping[str, str] | None = None) -> ContextFactory:
    """What `callshield ... --db URL --data-dir DIR` opens (workflow_common.open_context)."""

    def build() -> tuple[Context, Path]:
        env = os.environ if environ is None else environ
        directory = resolve_data_dir(data_dir, env)
        database = open_database(resolve_db_url(db, env, directory))
        clock = database_clock(database)  # the server's clock on PostgreSQL, this machine's on SQLite
        pins = RootPins.in_data_dir(directory)
        return Context(database, installation_audit_log(directory, clock, pins), clock, SlowHasher(), pins), directory

    return build


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: str
    actor: str
    action: str
    subject: str


@dataclass(frozen=True)
class PackExport:
    path: Path
    html: Path
    records: int
    ok: bool
    problem: str | None


def describe_check(check: AnchoredCheck) -> str:
    """The verification result in plain words, naming the first broken record."""
    result = check.chain
    if not result.ok:
        return (f"Audit log BROKEN at record {result.first_bad_seq}: {result.problem}. "
                f"{result.records} record(s) before it verified.")
    if check.unanchored:
        return (f"Audit log NOT anchored on this machine: all {result.records} records verify, but this machine "
                f"never saw this log before, so a shortened or rewritten log would look the same. Compare head "
                f"record {result.head_seq} ({result.head_hash[:16]}…) with a machine or record you trust, then "
                f"choose “Pin current head”.")
    pinned = " Pinned as this machine's anchor." if check.pinned else ""
    return f"Audit log intact: all {result.records} records verified (head record {result.head_seq}).{pinned}"


class WorkflowSession:
    """Opened on first sign-in; one user at a time."""

    def __init__(self, factory: ContextFactory) -> None:
        self._factory = factory
        self._open_lock = threading.Lock()  # credentials are checked on a worker thread
        self._ctx: Context | None = None
        self._data_dir: Path | None = None
        self.user: User | None = None

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def ctx(self) -> Context:
        if self._ctx is None or self.user is None:
            raise AuthError("sign in first")
        return self._ctx

    def acting(self) -> tuple[Context, User]:
        """The context and the signed-in user, for a call into the engine (which re-checks the role)."""
        ctx = self.ctx
        assert self.user is not None
        return ctx, self.user

    def _opened(self) -> Context:
        """The database, opened on first use (off the GUI thread: a server may be slow to answer)."""
        with self._open_lock:
            if self._ctx is None:
                self._ctx, self._data_dir = self._factory()
            return self._ctx

    def check_credentials(self, name: str, password: str) -> User:
        """The engine's authentication (a slow scrypt hash): call it off the GUI thread. Opens the
        database on first use; does not sign in, see `accept`."""
        return authenticate(self._opened(), name.strip(), password)

    def has_users(self) -> bool:
        """False on a new database, where nobody can sign in until the first admin exists."""
        with self._opened().database.reading() as connection:
            return bool(connection.execute(select(func.count()).select_from(users_table)).scalar_one())

    def root_problem(self) -> str | None:
        """Why this machine cannot check anyone's key for this database (no trust root pinned here for
        it), or None. A database read: off the GUI thread."""
        ctx = self._opened()
        with ctx.database.reading() as connection:
            try:
                pinned_root(connection, ctx.pins)
            except (AuthError, AuditError) as error:
                return str(error)
        return None

    def read_root(self, path: Path) -> TrustRoot:
        """A trust root file an admin exported (`callshield audit trust-root --out FILE`)."""
        return read_root_file(path)

    def pin_root(self, root: TrustRoot) -> TrustRoot:
        """Pin it here after the fingerprint was compared by phone; the engine refuses a root of another
        database or one that differs from the database's own copy."""
        ctx = self._opened()
        if ctx.pins is None:
            raise AuthError("no trust root location for this session")
        with ctx.database.reading() as connection:
            return pin_root(connection, ctx.pins, root)

    def bootstrap_admins(self, admins: list[tuple[str, str, str | None]]) -> list[User]:
        """The set-up ceremony (`callshield users init NAME --second NAME2`): the engine allows it only while
        the database has no users, and pins the new trust root here. Hashes each password (scrypt): call
        it off the GUI thread. Signs nobody in."""
        return bootstrap_admins(self._opened(), admins)

    def recheck(self, password: str) -> User:
        """The signed-in person's password again (slow: off the GUI thread): the engine returns them with
        their key freshly opened, which is what signs an approval or a release."""
        ctx, me = self.acting()
        fresh = authenticate(ctx, me.name, password)
        if fresh.id != me.id:
            raise AuthError("the account changed meanwhile: sign in again")
        return fresh

    def change_password(self, current: str, new: str) -> User:
        """Your own password: checked, a fresh key sealed by the new one and registered by the old one
        (users.set_password), then signed in again with it. Slow: off the GUI thread."""
        ctx, me = self.acting()
        before = self.recheck(current)
        set_password(ctx, before, me.name, new)
        return authenticate(ctx, me.name, new)

    def must_set_own_password(self, user: User) -> bool:
        """The key that signs for `user` is one an admin set (see waiting.py). Reads: off the GUI thread."""
        try:
            return must_set_own_password(self._opened(), user)
        except (AuthError, AuditError):
            return False  # no trust root pinned here: the sign-in says so on its own

    def accept(self, user: User) -> None:
        """Sign in as a user `check_credentials` returned (GUI thread)."""
        self.user = user

    def sign_in(self, name: str, password: str) -> User:
        """Both steps at once, on the calling thread (tests, scripts)."""
        user = self.check_credentials(name, password)
        self.accept(user)
        return user

    def sign_out(self) -> None:
        self.user = None

    def close(self) -> None:
        self.user = None
        with self._open_lock:
            if self._ctx is not None:
                self._ctx.database.dispose()
                self._ctx = None

    def change_listener(self) -> ChangeListener | None:
        """A connection of its own that hears each committed change at once (PostgreSQL's LISTEN); None on
        SQLite, where the audit head is polled. Connects: off the GUI thread. Needs the database opened
        (at sign-in), not a signed-in user: a sign-out in between must not leave the caller retrying."""
        ctx = self._ctx
        if ctx is None:
            raise AuthError("sign in first")
        return change_listener(ctx.database.url)

    def change_stamp(self) -> int:
        """The audit head's sequence number: every change the engine makes writes an audit record, so
        this moves whenever anything changes, whoever made it (this app, the CLI, another machine)."""
        with self.ctx.database.reading() as connection:
            return int(connection.execute(select(func.max(audit_log.c.seq))).scalar() or 0)

    # --- audit -------------------------------------------------------------------------------
    def audit_rows(self) -> list[AuditRow]:
        with self.ctx.database.reading() as connection:
            bodies = [json.loads(r.body) for r in read_records(connection)]
        return [AuditRow(int(b["seq"]), str(b["at"]), str(b["actor"]), str(b["action"]), str(b["subject"]))
                for b in bodies]

    def machine_registered(self) -> bool:
        """Whether this computer's audit key was registered by an admin (else it cannot write)."""
        return installation_registered(self.ctx)

    def register_machine(self) -> str:
        """As `callshield audit register-installation`, by the signed-in admin; returns the key id."""
        ctx, user = self.acting()
        return register_installation(ctx, user, f"desktop on {platform.node() or 'this computer'}")[0]

    def verify_audit(self, pin: bool = False) -> AnchoredCheck:
        """As `callshield audit verify [--pin]`: the chain, then this machine's anchor, which moves on when
        intact; without an anchor the result is unanchored until `pin` accepts the head."""
        ctx = self.ctx
        if self._data_dir is None:
            raise AuditError("no data directory: this machine's audit anchors are unknown")
        return verify_anchored(ctx.database, AnchorFile.in_data_dir(self._data_dir), ctx.pins, pin=pin)

    def export_pack(self, request_id: int, path: Path) -> PackExport:
        """As `callshield audit pack ID --out PATH --html PATH.html`."""
        ctx = self.ctx
        if self._data_dir is not None:
            chain = verify_anchored(ctx.database, AnchorFile.in_data_dir(self._data_dir), ctx.pins,
                                    remember=False).chain
            if not chain.ok:
                raise AuditError(f"audit log broken: {chain.problem}")
        with ctx.database.reading() as connection:
            pack = build_pack(connection, request_id, ctx.audit.key, ctx.clock, ctx.pins)
            root = pinned_root(connection, ctx.pins)
        check = verify_pack(pack, root)
        path.write_text(json.dumps(pack, indent=2, sort_keys=True), encoding="utf-8")
        html = path.with_suffix(".html")
        html.write_text(render_pack_html(pack, check.ok, check.problem), encoding="utf-8")
        return PackExport(path, html, check.records, check.ok, check.problem)

    # --- approvals ---------------------------------------------------------------------------
    def held_requests(self) -> list[dict[str, Any]]:
        with self.ctx.database.reading() as connection:
            found = list_requests(connection, "held")
            return request_views(connection, [r.id for r in found], self.ctx.clock, self.ctx.pins)

    def request_view(self, request_id: int) -> dict[str, Any]:
        with self.ctx.database.reading() as connection:
            return request_view(connection, request_id, self.ctx.clock, self.ctx.pins)

    def approve(self, request_id: int, note: str, signer: User) -> str:
        """`signer`: the person as `recheck` returned them, key freshly opened."""
        self._same_person(signer)
        request = confirmations.approve(self.ctx, signer, request_id, note)
        return f"Request {request_id} approved by {signer.name}; it is now {request.state.value}."

    def _same_person(self, signer: User) -> None:
        if self.user is None or signer.id != self.user.id:
            raise AuthError("sign in again: the decision was confirmed by someone else's password")

    def reject(self, request_id: int, reason: str) -> str:
        assert self.user is not None
        request = lifecycle.reject(self.ctx, self.user, request_id, reason)
        return f"Request {request_id} rejected by {self.user.name}; it is now {request.state.value}."

    # --- requests (requester side) -------------------------------------------------------------
    def entries(self) -> list[Entry]:
        """Directory entries with their active numbers: the only numbers a call-back may use."""
        with self.ctx.database.reading() as connection:
            return list_entries(connection)

    def live_requests(self) -> list[dict[str, Any]]:
        """Requests not yet final (draft, held, approved), newest first."""
        with self.ctx.database.reading() as connection:
            found = [r for r in list_requests(connection) if r.state not in FINAL]
            return request_views(connection, [r.id for r in found], self.ctx.clock, self.ctx.pins)

    def create_transfer(self, amount: str, currency: str, counterparty: str, beneficiary: Mapping[str, str],
                        checklist: Mapping[str, bool], claimed_contact: str | None = None, note: str = "",
                        call: Mapping[str, Any] | None = None, kind: str = "transfer") -> int:
        """Any of the engine's request kinds (transfer, new beneficiary, bank-detail change)."""
        assert self.user is not None
        request = lifecycle.create_request(self.ctx, self.user, kind, amount, currency, counterparty,
                                           beneficiary, call=call, claimed_contact=claimed_contact or None,
                                           checklist=checklist, note=note)
        return request.id

    def record_callback(self, request_id: int, phone_id: int, outcome: str, answered_by: str,
                        confirmed: list[str], note: str = "") -> None:
        assert self.user is not None
        confirmations.record_callback(self.ctx, self.user, request_id, phone_id, outcome, answered_by, confirmed,
                                      None, note)

    def issue_code(self, request_id: int) -> str:
        assert self.user is not None
        return confirmations.issue_code(self.ctx, self.user, request_id)

    def verify_code(self, request_id: int, code: str) -> None:
        assert self.user is not None
        confirmations.verify_code(self.ctx, self.user, request_id, code)

    def verify_phrase(self, request_id: int, phrase: str) -> None:
        assert self.user is not None
        confirmations.verify_phrase(self.ctx, self.user, request_id, phrase)

    def release(self, request_id: int, signer: User) -> str:
        self._same_person(signer)
        request = lifecycle.release(self.ctx, signer, request_id)
        return f"Request {request_id} released; it is now {request.state.value}."
