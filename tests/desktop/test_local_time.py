"""Times are shown in this computer's local time, to the second: never the stored UTC ISO text."""

from __future__ import annotations

import re
import time
from typing import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop.tasks import TaskRunner
from desktop.views.audit.audit_page import AuditPage
from desktop.views.local_time import local_time
from desktop.views.sign_in import SignedInState
from desktop.views.step_rows import step_rows
from tests.desktop.workflow_world import DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD

SHOWN = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
STORED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z")


@pytest.fixture
def in_kolkata(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A local time zone five and a half hours from UTC (no daylight saving to blur the test)."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_stored_utc_becomes_local_time_without_microseconds(in_kolkata: None) -> None:
    assert local_time("2026-03-01T09:15:02.123456Z") == "2026-03-01 14:45:02"
    assert local_time("") == "" and local_time(None) == ""
    assert local_time("not a time") == "not a time"


def test_request_details_and_audit_log_show_local_times(qtbot: QtBot, desk_world: DeskWorld, in_kolkata: None) -> None:
    request_id = desk_world.held_request()
    state = SignedInState(desk_world.session())
    page = AuditPage(state, TaskRunner())
    qtbot.addWidget(page)
    state.sign_in("alan", PASSWORD)
    times = [row[1] for row in page.visible_rows()]
    assert times and all(SHOWN.match(t) for t in times), times
    view = state.session.request_view(request_id)
    step_at = view["steps"][0]["at"]
    assert STORED.match(step_at)  # stored in UTC with microseconds…
    shown = " ".join(f"{row.what} {row.by}" for row in step_rows(view))
    assert not STORED.search(shown) and local_time(step_at) in shown  # …shown in local time
    assert local_time(step_at) != step_at[:19].replace("T", " ")  # and it is not UTC here
