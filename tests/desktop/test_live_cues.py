"""Scam cues heard during a watched call: each appears under the monitor with its time and quote
while the call runs, and pre-ticks the Requests checklist; an item the clerk unticked stays
unticked when later cues come, and the request records which ticks came from speech. Real
Whisper tiny.en on espeak-ng speech, paced to real time as a live call is."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from desktop.app import call_report
from desktop.controllers.cue_listener import CueListeners
from desktop.controllers.engine_factory import EngineFactory
from desktop.controllers.live_session import LiveSession, SessionState
from desktop.tasks import TaskRunner
from desktop.views.monitor.monitor_page import MonitorPage
from desktop.views.monitor.source_chooser import SourceChooser
from desktop.views.requests.requests_page import RequestsPage
from desktop.views.sign_in import SignedInState
from tests.desktop.support import fake_probes
from tests.desktop.workflow_world import DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD
from tests.verification.models_support import real_model_dir
from tests.verification.test_speech_live import call_recording
from verification.detectors.registry import DetectorRegistry
from verification.pipeline.runner import EngineConfig
from verification.report.schema import validate_report
from verification.workflow.request import load_request

LIVE_LIKE = EngineConfig(realtime=True, lossless=False)


def _monitor(qtbot: QtBot, analyzer: Any, keep: list[bool], config: EngineConfig = LIVE_LIKE) -> MonitorPage:
    parts = replace(analyzer, registry=DetectorRegistry({}))  # the speech is under test, not the detectors
    factory = EngineFactory(lambda _warn: parts, config, CueListeners(real_model_dir(), lambda: keep[0]))
    page = MonitorPage(LiveSession(factory), SourceChooser(fake_probes(), TaskRunner()))
    qtbot.addWidget(page)
    return page


def test_a_cue_appears_during_the_call_and_preticks_the_checklist(
        qtbot: QtBot, analyzer: Any, desk_world: DeskWorld, tmp_path: Path) -> None:
    clip, _duration = call_recording(tmp_path)  # "... It is urgent." then, after 10 s, secrecy and no call-back
    page = _monitor(qtbot, analyzer, keep=[False])
    state = SignedInState(desk_world.session())
    requests = RequestsPage(state, lambda: None)
    qtbot.addWidget(requests)
    state.sign_in("rita", PASSWORD)
    page.cues.checklist_items.connect(requests.pretick_from_speech)
    page.chooser.set_recording(str(clip))
    page.start()
    qtbot.waitUntil(lambda: page.cues.items.count() > 0, timeout=30_000)
    assert page.session.state is SessionState.RUNNING  # shown while the call goes on, not at its end
    first = page.cues.items.item(0).text()
    assert re.match(r"00:0\d  Urgency: “.*urgent.*”", first), first
    assert "heard so far" in page.cues.status.text()
    assert requests.checks["urgency"].isChecked() and "(heard in the call)" in requests.checks["urgency"].text()
    requests.checks["urgency"].setChecked(False)  # the clerk does not agree
    with qtbot.waitSignal(page.session.ended, timeout=40_000):
        pass
    kinds = page.session.record.cues
    assert {"secrecy", "skip_callback"} <= {c["kind"] for c in kinds}
    assert not requests.checks["urgency"].isChecked()  # later cues did not tick it again
    assert requests.checks["secrecy"].isChecked() and requests.checks["callback_refused"].isChecked()
    assert re.search(r"\d+ cues heard\. Heard 2 chunks of 10 s on this computer\.$", page.cues.status.text())
    requests.amount.setText("25000")
    requests.iban.setText("GB33BUKB20201555555555")
    requests.beneficiary_name.setText("Acme Ltd")
    requests.create_button.click()
    match = re.match(r"Request (\d+) created", requests.result.text())
    assert match, requests.result.text()
    with desk_world.ctx.database.reading() as connection:
        stored = load_request(connection, int(match.group(1)))
    ticked = re.fullmatch(r"\[Ticked from the call's speech: (.*)\]", stored.note)
    assert ticked, stored.note
    items = set(ticked.group(1).split(", "))  # "changed account" too when Whisper hears "bank account"
    assert {"callback_refused", "secrecy"} <= items and "urgency" not in items


def test_the_report_carries_the_cues_and_the_transcript_only_when_kept(
        qtbot: QtBot, analyzer: Any, tmp_path: Path) -> None:
    clip, _duration = call_recording(tmp_path)
    keep = [False]
    page = _monitor(qtbot, analyzer, keep, EngineConfig())  # as fast as it goes: the content is under test
    reports = []
    for choice in (False, True):
        keep[0] = choice
        page.chooser.set_recording(str(clip))
        with qtbot.waitSignal(page.session.ended, timeout=60_000):
            page.start()
        report = call_report(page.session.record)
        assert report is not None
        validate_report(report)
        reports.append(report["speech_cues"])
    assert reports[0]["cues"] and "transcript" not in reports[0]
    assert any("urgent" in s["text"].lower() for s in reports[1]["transcript"])
