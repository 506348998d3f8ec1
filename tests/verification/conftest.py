"""Shared fixtures for the workflow, policy, audit and store tests.

PostgreSQL: a throwaway cluster is started once per session with the server binaries (initdb,
pg_ctl) on a private unix socket only (no TCP), and each test gets a fresh database copied from a
migrated template. Set CALLSHIELD_TEST_PG to a server URL to use an existing server instead. Without
binaries the PostgreSQL cases skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from verification.audit.keys import load_installation_key
from verification.audit.log import AuditLog
from verification.report.signature import sign_claim
from verification.store.database import Database, open_database
from verification.workflow import directory, users
from verification.trust.installations import InstallationGate
from verification.trust.root import PIN_FILE, RootPins
from verification.workflow.context import Context
from verification.workflow.directory import Phone
from verification.workflow.roles import Role, User
from verification.workflow.secrets_hash import ScryptParams, SlowHasher

# Tests hash with a cheap scrypt cost, passed explicitly; the defaults stay strong.
TEST_HASHER = SlowHasher(ScryptParams(n=2**8, r=8, p=1))
PASSWORD = "test password 123"
ALL_NO = {"urgency": False, "secrecy": False, "new_beneficiary": False, "changed_bank_details": False,
          "unusual_channel": False, "callback_refused": False}


def _pg_bin_dir() -> Path | None:
    explicit = os.environ.get("CALLSHIELD_PG_BIN")
    if explicit:
        return Path(explicit) if (Path(explicit) / "pg_ctl").exists() else None
    found = shutil.which("pg_ctl")
    if found and Path(found).resolve().parent.joinpath("initdb").exists():
        return Path(found).resolve().parent
    # Debian/Ubuntu keep server binaries off PATH, one directory per major version.
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason} (install the postgresql package, or set CALLSHIELD_TEST_PG)")


class PgCluster:
    """initdb + pg_ctl in a temp dir; as root, the server runs as the `postgres` account."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="callshield-pg-"))
        self.data = self.root / "data"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o700)

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> str:
        self._run("initdb", "-D", str(self.data), "-U", "callshield", "-A", "trust", "-E", "UTF8", "-N")
        options = (f"-k {self.root} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                   f"-c full_page_writes=off -c max_connections=200 -p 5432")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                  "-o", options, "start")
        return f"postgresql+psycopg://callshield@/postgres?host={self.root}&port=5432"

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """URL of a PostgreSQL maintenance database we may create databases from."""
    given = os.environ.get("CALLSHIELD_TEST_PG")
    if given:
        yield given
        return
    bin_dir = _pg_bin_dir()
    if bin_dir is None:
        _unavailable("no PostgreSQL server binaries (initdb, pg_ctl) found")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        _unavailable("running as root needs `runuser` to start the server as the postgres account")
    cluster = PgCluster(bin_dir)  # type: ignore[arg-type]
    try:
        url = cluster.start()
    except (RuntimeError, OSError, LookupError, subprocess.TimeoutExpired) as error:
        cluster.stop()
        _unavailable(f"could not start a throwaway cluster: {error}")
    yield url
    cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server: str) -> str:
    """A database migrated once; each test copies it (much faster than migrating each time)."""
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS callshield_template"))
        connection.execute(text("CREATE DATABASE callshield_template"))
    admin.dispose()
    url = make_url(pg_server).set(database="callshield_template").render_as_string(hide_password=False)
    open_database(url).dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def pg_admin(pg_server: str) -> Iterator[Engine]:
    """One autocommit connection pool for creating and dropping per-test databases."""
    engine = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _copy_pg_database(admin: Engine, template: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    return admin.url.set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(admin: Engine, url: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)"))


@pytest.fixture
def db_url(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database of each kind."""
    if db_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'callshield.db'}"
        return
    request.getfixturevalue("pg_template")
    admin = request.getfixturevalue("pg_admin")
    url = _copy_pg_database(admin, "callshield_template")
    yield url
    _drop_pg_database(admin, url)


class FakeClock:
    """Time that tests move by hand; safe to read from several threads."""

    def __init__(self) -> None:
        self._now = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> None:
        with self._lock:
            self._now += timedelta(**delta)


@dataclass
class World:
    """A database with the usual cast: an admin, a requester, two approvers, a counterparty."""

    ctx: Context
    clock: FakeClock
    data_dir: Path
    admin: User
    requester: User
    approver: User
    approver2: User
    phone: Phone
    admin2: User
    counterparty: str = "Acme Supplies"

    @property
    def database(self) -> Database:
        return self.ctx.database


def make_context(url: str, data_dir: Path, clock: FakeClock) -> Context:
    data_dir.mkdir(parents=True, exist_ok=True)
    pins = RootPins.in_data_dir(data_dir)
    return Context(open_database(url), AuditLog(load_installation_key(data_dir), clock, InstallationGate(pins)),
                   clock, TEST_HASHER, pins)


@dataclass(frozen=True)
class Seed:
    """A populated database built once per session; each test gets a copy (fast on both kinds)."""

    url: str
    key_file: Path
    now: datetime
    admin: User
    requester: User
    approver: User
    approver2: User
    phone: Phone
    admin2: User


def engine_call(ctx: Context, call: dict[str, Any]) -> dict[str, Any]:
    """A call summary as the engine links it: signed by this (registered) installation, so its verdict counts."""
    return {**call, "signature": sign_claim(call["report_sha256"], call["verdict"], ctx.audit.key)}


def signed_in(ctx: Context, name: str, password: str = PASSWORD) -> User:
    """A user as the engine sees them after sign-in: with their own key opened."""
    user = users.authenticate(ctx, name, password)
    assert user.signer is not None, f"{name} has no key they can open"
    return user


def register_machine(w: "World", data_dir: Path) -> None:
    """Another machine on the same database: the root pinned there, and its audit key registered by an admin
    (`callshield audit register-installation`)."""
    from verification.workflow.installations import register_installation

    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(w.data_dir / PIN_FILE, data_dir / PIN_FILE)
    other = make_context(w.database.url.render_as_string(hide_password=False), data_dir, w.clock)
    try:
        register_installation(other, signed_in(other, w.admin.name), f"test machine {data_dir.name}")
    finally:
        other.database.dispose()


def add_person(ctx: Context, admin: User, admin2: User, name: str, roles: list[Role]) -> User:
    """An admin adds them, a second admin confirms a two-person role, and they set their own password."""
    added = users.add_user(ctx, admin, name, roles, "initial " + PASSWORD)
    if set(roles) & {Role.APPROVER, Role.ADMIN}:
        users.confirm_admin(ctx, admin2, name)
    users.set_password(ctx, signed_in(ctx, name, "initial " + PASSWORD), name, PASSWORD)
    user = signed_in(ctx, name)
    assert set(user.roles) == set(roles), (added, user)
    return user


def _build_seed(url: str, data_dir: Path) -> Seed:
    clock = FakeClock()
    ctx = make_context(url, data_dir, clock)
    admin, admin2 = users.bootstrap_admins(ctx, [("ada", PASSWORD, None), ("ben", PASSWORD, None)])
    requester = add_person(ctx, admin, admin2, "rita", [Role.REQUESTER])
    approver = add_person(ctx, admin, admin2, "alan", [Role.APPROVER])
    approver2 = add_person(ctx, admin, admin2, "bea", [Role.APPROVER])
    directory.add_entry(ctx, admin, "Acme Supplies", "counterparty", "Acme Ltd")
    phone = directory.add_phone(ctx, admin, "Acme Supplies", "+44 20 7946 0000",
                                "vendor master data, signed contract 2023-04")
    clock.advance(days=200)  # Acme is an established counterparty by now
    ctx.database.dispose()
    if url.startswith("sqlite"):  # fold the WAL into the file, so a plain file copy is complete
        with closing(sqlite3.connect(make_url(url).database or "")) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Seed(url, data_dir / "audit-signing-key.pem", clock(), admin, requester, approver, approver2, phone,
                admin2)


@pytest.fixture(scope="session")
def sqlite_seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    root = tmp_path_factory.mktemp("seed-sqlite")
    return _build_seed(f"sqlite:///{root / 'seed.db'}", root / "data")


@pytest.fixture(scope="session")
def postgresql_seed(pg_server: str, pg_template: str, tmp_path_factory: pytest.TempPathFactory) -> Seed:
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS callshield_seed"))
        connection.execute(text("CREATE DATABASE callshield_seed TEMPLATE callshield_template"))
    admin.dispose()
    url = make_url(pg_server).set(database="callshield_seed").render_as_string(hide_password=False)
    return _build_seed(url, tmp_path_factory.mktemp("seed-pg") / "data")


@pytest.fixture
def world(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    seed: Seed = request.getfixturevalue(f"{db_kind}_seed")
    if db_kind == "sqlite":
        target = tmp_path / "callshield.db"
        shutil.copyfile(make_url(seed.url).database or "", target)
        url = f"sqlite:///{target}"
    else:
        url = _copy_pg_database(request.getfixturevalue("pg_admin"), "callshield_seed")
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    key = data_dir / seed.key_file.name
    shutil.copyfile(seed.key_file, key)
    key.chmod(0o600)
    shutil.copyfile(seed.key_file.parent / PIN_FILE, data_dir / PIN_FILE)
    clock = FakeClock()
    clock.advance(seconds=(seed.now - clock()).total_seconds())
    ctx = make_context(url, data_dir, clock)
    yield World(ctx, clock, data_dir, seed.admin, seed.requester, seed.approver, seed.approver2, seed.phone,
                seed.admin2)
    ctx.database.dispose()
    if db_kind == "postgresql":
        _drop_pg_database(request.getfixturevalue("pg_admin"), url)
