"""Opening, migrating and configuring the database; failures are one line."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from verification.errors import StoreError
from verification.store.database import open_database
from verification.store.location import resolve_data_dir, resolve_db_url
from verification.store.migrate import current_revision, head_revision


def test_migrated_to_head_on_open_and_idempotent(db_url: str) -> None:
    for _ in range(2):
        database = open_database(db_url)
        with database.reading() as connection:
            assert current_revision(connection) == head_revision() == "0004"
            assert connection.execute(text("SELECT seq FROM audit_head")).scalar_one() == 0
        database.dispose()


def test_sqlite_is_wal_with_full_sync(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    with database.transaction() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()


def test_concurrent_first_opens_migrate_once(db_url: str, tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def open_close() -> None:
        try:
            open_database(db_url).dispose()
        except BaseException as error:  # noqa: BLE001 - the test reports whatever happened
            errors.append(error)

    threads = [threading.Thread(target=open_close) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors


@pytest.mark.parametrize("url", ["postgresql+psycopg://nobody@127.0.0.1:9/none", "mysql://x@y/z", "not a url"])
def test_unreachable_or_unsupported_database_is_one_line(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        open_database(url)
    assert "\n" not in str(caught.value) and str(caught.value)


def test_default_location_and_environment(tmp_path: Path) -> None:
    data = resolve_data_dir(None, {"CALLSHIELD_DATA_DIR": str(tmp_path / "d")})
    assert data == tmp_path / "d" and (data.stat().st_mode & 0o777) == 0o700
    assert resolve_db_url(None, {}, data) == f"sqlite:///{data / 'callshield.db'}"
    assert resolve_db_url(None, {"CALLSHIELD_DB": "postgresql://u@h/db"}, data) == "postgresql+psycopg://u@h/db"
    assert resolve_db_url("sqlite:///x.db", {"CALLSHIELD_DB": "postgresql://u@h/db"}, data) == "sqlite:///x.db"
