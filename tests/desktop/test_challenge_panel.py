"""The challenge panel shows the words to say, counts down, and shows the scored result."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.controllers.challenge import ChallengeController, find_challenge_controller
from desktop.views.challenge_panel import ChallengePanel
from tests.desktop.support import FakeChallenge


def _panel(qtbot: QtBot, controller: Any, grace_s: float = 3.0) -> ChallengePanel:
    panel = ChallengePanel(grace_s=grace_s)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_controller(controller)
    return panel


def test_without_controller_the_button_explains_itself(qtbot: QtBot) -> None:
    panel = _panel(qtbot, None)
    assert not panel.button.isEnabled()
    assert "while a call with video is being watched" in panel.intro.text()


def test_challenge_prompted_counted_down_and_scored(qtbot: QtBot) -> None:
    controller = FakeChallenge(answer_after_s=0.4, timeout_s=2.0)
    assert isinstance(controller, ChallengeController)
    panel = _panel(qtbot, controller)
    assert panel.button.isEnabled()
    with qtbot.waitSignal(panel.finished, timeout=5_000):
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
        assert "turn your head slowly to your left" in panel.say.text()
        assert panel.say.isVisible() and panel.countdown.isVisible()
        assert "s left" in panel.countdown.format()
        assert not panel.button.isEnabled()  # one challenge at a time
    assert panel.last_result is not None and panel.last_result.outcome == "passed"
    assert "PASSED" in panel.result.text() and "head turned 41 degrees" in panel.result.text()
    # A sentence for the clerk, never the detector's numbers.
    assert "latency" not in panel.result.text() and "·" not in panel.result.text()
    assert panel.button.isEnabled() and not panel.countdown.isVisible()


def test_unanswered_challenge_is_not_a_pass(qtbot: QtBot) -> None:
    panel = _panel(qtbot, FakeChallenge(answer_after_s=None, timeout_s=0.2), grace_s=0.2)
    with qtbot.waitSignal(panel.finished, timeout=5_000):
        panel.start()
    assert panel.last_result is None
    assert "NO RESULT" in panel.result.text() and "not verified" in panel.result.text()


def test_session_detectors_offer_a_controller_only_when_the_build_has_one(analyzer: Any) -> None:
    detectors = analyzer.registry.create_all(analyzer.models)
    challenge = next(d for d in detectors if d.id == "challenge")
    found = find_challenge_controller(detectors)
    assert found is not None  # this build ships the challenge detector
    prompt = found.start_challenge()
    assert prompt.say and prompt.timeout_s > 0
    assert challenge.controller.drain()  # the prompt reached the detector's queue
    assert found.challenge_result(prompt.challenge_id) is None  # nothing judged yet
