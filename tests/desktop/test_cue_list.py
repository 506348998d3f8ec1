"""Scam cues in the monitor (time and quote) pre-tick the Requests checklist; the clerk may untick,
and the request record says which ticks came from the call's speech."""

from __future__ import annotations

import re

from pytestqt.qtbot import QtBot

from desktop.views.monitor.cue_list import CueList
from desktop.views.requests.requests_page import RequestsPage
from desktop.views.sign_in import SignedInState
from tests.desktop.workflow_world import DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD
from verification.workflow.request import load_request
from verification.workflow.views import request_view

SECTION = {
    "model": "whisper_tiny_en",
    "cues": [{"kind": "urgency", "label": "Urgency", "quote": "Send it right now, please.", "matched": "right now",
              "start_s": 75.4, "end_s": 77.0},
             {"kind": "secrecy", "label": "Secrecy", "quote": "Keep this between us.", "matched": "between us",
              "start_s": 80.0, "end_s": 81.2}],
    "checklist": ["secrecy", "urgency"],
    "chunks": {"chunk_s": 10.0, "budget": 0.25, "transcribed_chunks": 5, "quiet_chunks": 0, "dropped_chunks": 4,
               "dropped_at_s": [10.0, 30.0, 50.0, 70.0], "work_s": 9.0, "every_nth": 2},
}


def test_cues_shown_with_time_and_quote_and_the_budget(qtbot: QtBot) -> None:
    cues = CueList()
    qtbot.addWidget(cues)
    with qtbot.waitSignal(cues.checklist_items) as emitted:
        cues.show_cues(SECTION)
    assert emitted.args == [["secrecy", "urgency"]]
    lines = [cues.items.item(i).text() for i in range(cues.items.count())]
    assert lines == ["01:15  Urgency: “Send it right now, please.”", "01:20  Secrecy: “Keep this between us.”"]
    assert "2 cues heard" in cues.status.text() and "4 skipped to stay within the CPU budget" in cues.status.text()
    cues.show_cues({"model": "whisper_tiny_en", "cues": [], "checklist": [], "unavailable": "model missing"})
    assert cues.items.count() == 0 and "not checked for scam cues: model missing." in cues.status.text()


def test_pre_ticked_items_can_be_unticked_and_the_record_says_which_came_from_speech(
        qtbot: QtBot, desk_world: DeskWorld) -> None:
    state = SignedInState(desk_world.session())
    page = RequestsPage(state, lambda: None)
    qtbot.addWidget(page)
    state.sign_in("rita", PASSWORD)
    page.pretick_from_speech(["urgency", "secrecy", "not_an_item"])
    assert page.checks["urgency"].isChecked() and page.checks["secrecy"].isChecked()
    assert "(heard in the call)" in page.checks["urgency"].text()
    page.checks["secrecy"].setChecked(False)  # the clerk does not agree
    page.amount.setText("25000")
    page.iban.setText("GB33BUKB20201555555555")
    page.beneficiary_name.setText("Acme Ltd")
    page.create_button.click()
    match = re.match(r"Request (\d+) created", page.result.text())
    assert match, page.result.text()
    with desk_world.ctx.database.reading() as connection:
        view = request_view(connection, int(match.group(1)), desk_world.clock, desk_world.ctx.pins)
        stored = load_request(connection, int(match.group(1)))
    assert view["checklist"]["urgency"] and not view["checklist"]["secrecy"]
    assert stored.note == "[Ticked from the call's speech: urgency]"
    assert not page.from_speech and "(heard in the call)" not in page.checks["urgency"].text()
