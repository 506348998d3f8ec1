"""Storage faults during a transition: the disk fills while the audit record is written (SQLite), and
the PostgreSQL server stops mid-transaction, or while committing, and comes back. Each time the
transition happened whole or not at all, the person is told in one line (which, when the server went
away after COMMIT was sent, says the outcome is unknown), the chain verifies, and redoing it is safe.

Disk full, two ways, both struck at the moment the audit record's INSERT is issued (the step and the
new state are already written in the same transaction). As root, the database lives on a tiny tmpfs
that is then filled to the last byte: the write fails with a real ENOSPC from the kernel, which SQLite
turns into SQLITE_FULL. Anywhere (skipping nothing), `PRAGMA max_page_count` caps the file at its
current size: SQLite's pager raises the very same SQLITE_FULL ("database or disk is full") when the
transaction needs one more page, so the code above it sees exactly what a full disk gives it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import create_engine, event, make_url, select, text

from tests.verification.audit_cli import Cli
from tests.verification.conftest import (ALL_NO, FakeClock, PgCluster, Seed, World, _build_seed, _pg_bin_dir,
                                         make_context, signed_in)
from verification.audit.verify import verify_database_chain
from verification.errors import CallShieldError, StoreError
from verification.store.tables import audit_log
from verification.trust.installations import installation_keys
from verification.workflow import confirmations, lifecycle
from verification.workflow.context import Context
from verification.workflow.roles import User
from verification.workflow.request import load_request
from verification.workflow.states import State

LOW = {"session": "c", "verdict": {"risk": 0.1, "level": "low", "reasons": []}, "models": []}


def _held(ctx: Context, w: World | Seed) -> int:
    request = lifecycle.create_request(ctx, w.requester, "transfer", "25000", "EUR", "Acme Supplies",
                                       {"iban": "GB33BUKB20201555555555"}, call=LOW, checklist=ALL_NO)
    confirmations.record_callback(ctx, w.approver, request.id, w.phone.id, "confirmed", "J",
                                  ["identity", "request", "amount", "beneficiary"])
    return request.id


def _approvals(ctx: Context, request_id: int) -> int:
    with ctx.database.reading() as connection:
        return sum(1 for b in connection.execute(select(audit_log.c.body)).scalars()
                   if '"action":"step.approval"' in b and f'"subject":"request:{request_id}"' in b)


def _whole_or_nothing(ctx: Context, request_id: int, refused: StoreError, word: str) -> None:
    message = str(refused)
    assert "\n" not in message and word in message, message
    with ctx.database.reading() as connection:
        assert load_request(connection, request_id).state == State.HELD
        assert verify_database_chain(connection, installation_keys(connection, ctx.pins)).ok
        if ctx.database.dialect == "sqlite":
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert [s["kind"] for s in confirmations.steps_as_dicts(connection, request_id)] == ["callback"]
    assert _approvals(ctx, request_id) == 0


@contextmanager
def _tiny_tmpfs(where: Path, size_kib: int) -> Iterator[Path]:
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path) -> Path:
    """Write until the filesystem says ENOSPC; the file is removed to free the space again."""
    filler = folder / "filler"
    handle = filler.open("wb", buffering=0)
    try:
        while handle.write(b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        handle.close()
    return filler


@pytest.mark.parametrize("db_kind", ["sqlite"], indirect=True)
@pytest.mark.parametrize("how", ["tmpfs", "max_page_count"])
def test_disk_full_while_writing_the_audit_record(world: World, tmp_path: Path, how: str) -> None:
    w = world
    request_id = _held(w.ctx, w)
    source = Path(make_url(w.database.url).database or "")
    w.database.dispose()
    with _tiny_tmpfs(tmp_path / "disk", size_kib=source.stat().st_size // 1024 + 1024) if how == "tmpfs" \
            else _nothing(tmp_path / "disk") as disk:
        shutil.copyfile(source, disk / "callshield.db")
        ctx = make_context(f"sqlite:///{disk / 'callshield.db'}", w.data_dir, w.clock)
        try:
            approver = signed_in(ctx, w.approver.name)
            with ctx.database.reading() as connection:  # WAL and shared-memory files exist from here
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            reached: list[str] = []

            def fault_at_the_audit_record(connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
                if not statement.lstrip().upper().startswith("INSERT INTO AUDIT_LOG") or reached:
                    return
                reached.append(statement)
                if how == "tmpfs":
                    fillers.append(_fill(disk))
                else:  # the file may not grow by one more page from here on
                    pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
                    connection.exec_driver_sql(f"PRAGMA max_page_count={pages}")

            fillers: list[Path] = []
            event.listen(ctx.database.engine, "before_cursor_execute", fault_at_the_audit_record)
            with pytest.raises(StoreError) as refused:
                confirmations.approve(ctx, approver, request_id)
            event.remove(ctx.database.engine, "before_cursor_execute", fault_at_the_audit_record)
            assert reached and "full" in str(refused.value), refused.value
            for filler in fillers:
                filler.unlink()
            ctx.database.engine.dispose()  # a fresh connection has no page cap
            _whole_or_nothing(ctx, request_id, refused.value, "nothing was committed")
            assert confirmations.approve(ctx, approver, request_id).state == State.APPROVED  # space back: retry
            assert _approvals(ctx, request_id) == 1
        finally:
            ctx.database.dispose()


@contextmanager
def _nothing(where: Path) -> Iterator[Path]:
    where.mkdir()
    yield where


# --- PostgreSQL: disk full ------------------------------------------------------------------------------
@contextmanager
def _audit_log_on_a_tiny_disk(w: World, admin: Any) -> Iterator[Path]:
    """The audit table (and its TOAST table) moved to a tablespace on a 2 MiB tmpfs. Fill factor 10
    makes the server start a new page for each audit row, so writing the next record must extend the
    file: with the disk full that fails with ENOSPC, as on a real full disk. WAL stays on the
    cluster's own disk (a full WAL disk stops the whole server, which is not this fault)."""
    where = Path(tempfile.mkdtemp(prefix="callshield-pgdisk-"))  # outside pytest's root-only folders
    shutil.chown(where, "postgres", "postgres")  # the server's account
    name = f"tiny_{uuid.uuid4().hex[:8]}"
    with _tiny_tmpfs(where / "disk", size_kib=2048) as disk:
        shutil.chown(disk, "postgres", "postgres")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE TABLESPACE {name} LOCATION '{disk}'"))
        try:
            with w.database.engine.begin() as connection:
                connection.execute(text("ALTER TABLE audit_log SET (fillfactor = 10)"))
                connection.execute(text(f"ALTER TABLE audit_log SET TABLESPACE {name}"))
            yield disk
        finally:
            with w.database.engine.begin() as connection:
                connection.execute(text("ALTER TABLE audit_log SET TABLESPACE pg_default"))
            w.database.dispose()
            with admin.connect() as connection:
                connection.execute(text(f"DROP TABLESPACE {name}"))
    shutil.rmtree(where, ignore_errors=True)


@pytest.mark.parametrize("db_kind", ["postgresql"], indirect=True)
def test_postgresql_disk_full_while_writing_the_audit_record(world: World, pg_admin: Any,
                                                            capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    if os.geteuid() != 0:
        pytest.skip("a full disk for PostgreSQL needs a tmpfs mount (root)")
    request_id = _held(w.ctx, w)
    approver = signed_in(w.ctx, w.approver.name)
    cli = Cli.of(w, capsys, monkeypatch)
    assert cli("audit", "verify", "--pin")[0] == 0  # the head before the fault, trusted
    with _audit_log_on_a_tiny_disk(w, pg_admin) as disk:
        fillers: list[Path] = []

        def fault_at_the_audit_record(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            if statement.lstrip().upper().startswith("INSERT INTO AUDIT_LOG") and not fillers:
                fillers.append(_fill(disk))  # the step and the new state are already written

        event.listen(w.ctx.database.engine, "before_cursor_execute", fault_at_the_audit_record)
        try:
            with pytest.raises(StoreError) as refused:
                confirmations.approve(w.ctx, approver, request_id)
        finally:
            event.remove(w.ctx.database.engine, "before_cursor_execute", fault_at_the_audit_record)
        assert fillers and "No space left on device" in str(refused.value), refused.value
        _whole_or_nothing(w.ctx, request_id, refused.value, "nothing was committed")
        fillers[0].unlink()  # space is back: the same approval goes through
        assert confirmations.approve(w.ctx, approver, request_id).state == State.APPROVED
        assert _approvals(w.ctx, request_id) == 1
    code, out, err = cli("audit", "verify")  # the chain runs on from the pinned head
    assert code == 0 and not err, (out, err)


# --- PostgreSQL stopped mid-transition ------------------------------------------------------------------
class _Restartable(PgCluster):
    """Durable settings, unlike the shared test cluster's: with `synchronous_commit=off` a crash may
    lose a transaction the client saw committed, which is not the server this test is about."""

    def _server(self, action: str) -> None:
        options = f"-k {self.root} -c listen_addresses='' -p 5432"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                  "-o", options, action)

    def start(self) -> str:
        self._run("initdb", "-D", str(self.data), "-U", "callshield", "-A", "trust", "-E", "UTF8")
        self._server("start")
        return f"postgresql+psycopg://callshield@/postgres?host={self.root}&port=5432"

    def restart_after(self, down_s: float) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")  # a crash, not a clean stop
        time.sleep(down_s)
        self._server("start")  # crash recovery replays the WAL


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Restartable]:
    """A cluster of its own: stopping the shared one would break every other test."""
    bin_dir = _pg_bin_dir()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries")
    cluster = _Restartable(bin_dir)
    cluster.start()
    yield cluster
    cluster.stop()


@contextmanager
def _pg_world(server: _Restartable, data_dir: Path) -> Iterator[tuple[Context, Seed, str]]:
    base = f"postgresql+psycopg://callshield@/postgres?host={server.root}&port=5432"
    maintenance = create_engine(base, isolation_level="AUTOCOMMIT")
    with maintenance.connect() as connection:
        name = f"t_{uuid.uuid4().hex[:12]}"
        connection.execute(text(f"CREATE DATABASE {name}"))
    maintenance.dispose()
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    seed = _build_seed(url, data_dir)
    clock = FakeClock()
    clock.advance(seconds=(seed.now - clock()).total_seconds())
    ctx = make_context(url, data_dir, clock)
    try:
        yield ctx, seed, url
    finally:
        ctx.database.dispose()


def _crash_during_approval(server: _Restartable, ctx: Context, url: str, request_id: int, approver: User,
                           hold: str | None, waiting_for: str) -> list[StoreError]:
    """Approve on a thread; once its backend waits as `waiting_for` says, crash and restart the server."""
    errors: list[StoreError] = []
    watcher = create_engine(url)
    watch = watcher.connect()
    try:
        if hold:
            watch.execute(text(hold))

        def approve() -> None:
            try:
                confirmations.approve(ctx, approver, request_id)
            except StoreError as error:
                errors.append(error)

        worker = threading.Thread(target=approve)
        worker.start()
        for _ in range(250):
            if watch.execute(text(f"SELECT count(*) FROM pg_stat_activity WHERE {waiting_for} "
                                  "AND pid <> pg_backend_pid()")).scalar():
                break
            time.sleep(0.02)
        else:
            pytest.fail(f"the approval never reached the point where {waiting_for}")
        server.restart_after(down_s=0.5)
        worker.join(30)
    finally:
        watch.invalidate()  # its server process died with the crash
        watcher.dispose()
    return errors


def test_postgresql_stopped_mid_transition_and_restarted(own_server: _Restartable, tmp_path: Path) -> None:
    with _pg_world(own_server, tmp_path / "data") as (ctx, seed, url):
        request_id = _held(ctx, seed)
        approver = signed_in(ctx, seed.approver.name)
        # the approval wrote its step and state and queues for the audit head this connection holds
        errors = _crash_during_approval(own_server, ctx, url, request_id, approver,
                                        "SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE",
                                        "wait_event_type = 'Lock'")
        assert len(errors) == 1, errors
        _whole_or_nothing(ctx, request_id, errors[0], "nothing was committed")
        assert confirmations.approve(ctx, approver, request_id).state == State.APPROVED  # retry is safe
        assert _approvals(ctx, request_id) == 1


def test_postgresql_lost_while_committing_says_the_outcome_is_unknown(own_server: _Restartable,
                                                                       tmp_path: Path) -> None:
    """The connection dies after COMMIT was sent: the client cannot know whether it took, so it must
    not say "nothing was committed". A deferred trigger holds the commit open while the server dies."""
    with _pg_world(own_server, tmp_path / "data") as (ctx, seed, url):
        request_id = _held(ctx, seed)
        approver = signed_in(ctx, seed.approver.name)
        with ctx.database.engine.begin() as connection:
            connection.execute(text("CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS "
                                    "$$ BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$"))
            connection.execute(text("CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON steps DEFERRABLE "
                                    "INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()"))
        errors = _crash_during_approval(own_server, ctx, url, request_id, approver, None,
                                        "wait_event = 'PgSleep'")
        assert len(errors) == 1, errors
        message = str(errors[0])
        assert "\n" not in message and "nothing was committed" not in message, message
        assert "while committing" in message and "may or may not" in message, message
        with ctx.database.engine.begin() as connection:
            connection.execute(text("DROP TRIGGER slow_commit ON steps"))
        _whole_or_nothing(ctx, request_id, errors[0], "while committing")  # here it did not take
        assert confirmations.approve(ctx, approver, request_id).state == State.APPROVED  # retry is safe
        assert _approvals(ctx, request_id) == 1
        with pytest.raises(CallShieldError):  # and a second retry, had the first one taken, is refused
            confirmations.approve(ctx, approver, request_id)
        assert _approvals(ctx, request_id) == 1
