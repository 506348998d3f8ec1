"""Challenge the caller: the engine picks a challenge, the panel shows the words to say, counts
down, and shows the scored result with its evidence. Picking and scoring are the engine's."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from desktop.controllers.challenge import ChallengeController, ChallengePrompt, ChallengeResult
from desktop.views.level_style import level_pixmap

#: seconds after the caller's time is up before the panel stops waiting for a score
GRACE_S = 3.0
OUTCOME_LOOK = {"passed": ("low", "PASSED"), "failed": ("high", "FAILED"), "not_judged": ("unknown", "COULD NOT JUDGE")}


def evidence_text(result: ChallengeResult) -> str:
    """The engine's sentence for the clerk; the numbers behind it stay in the report, not here."""
    return result.summary or "The challenge gave no explanation. Treat the call as not verified."


class ChallengePanel(QGroupBox):
    finished = Signal()  # see `last_result`

    def __init__(self, parent: QWidget | None = None, grace_s: float = GRACE_S) -> None:
        super().__init__("Challenge the caller", parent)
        self.grace_s = grace_s
        self.last_result: ChallengeResult | None = None  # None also when no score came
        self.setAccessibleName("Challenge the caller")
        self._controller: ChallengeController | None = None
        self._prompt: ChallengePrompt | None = None
        self._started_at = 0.0
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.button = QPushButton("Challen&ge the caller")
        self.button.setAccessibleName("Start a challenge")
        self.button.clicked.connect(self.start)
        layout.addWidget(self.button)
        self.say = QLabel()
        self.say.setWordWrap(True)
        self.say.setAccessibleName("Words to say to the caller")
        self.say.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                         | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.say.setStyleSheet("font-size: 13pt; background: #ffffff; border: 1px solid #c9d0d6; padding: 6px;")
        layout.addWidget(self.say)
        self.countdown = QProgressBar()
        self.countdown.setAccessibleName("Time left for the caller to respond")
        self.countdown.setTextVisible(True)
        layout.addWidget(self.countdown)
        result_row = QHBoxLayout()
        self.result_mark = QLabel()
        self.result_mark.setFixedSize(28, 28)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Challenge result")
        result_row.addWidget(self.result_mark, 0, Qt.AlignmentFlag.AlignTop)
        result_row.addWidget(self.result, 1)
        layout.addLayout(result_row)
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._tick)
        self._show_ready()

    def set_controller(self, controller: ChallengeController | None) -> None:
        self._controller = controller
        if controller is None:
            self._timer.stop()
            self._prompt = None
        self._show_ready()

    def _show_ready(self) -> None:
        running = self._prompt is not None
        self.button.setEnabled(self._controller is not None and not running)
        for w in (self.say, self.countdown):
            w.setVisible(running)
        if self._controller is None:
            self.intro.setText("Available while a call with video is being watched. "
                               "Until then, ask the caller to turn their head fully to one side and to pass a hand "
                               "across their face: live face swaps often distort.")
        elif not running:
            self.intro.setText("Press the button, then ask the caller to do exactly what it shows. Live face "
                               "swaps often distort when the head turns or a hand crosses the face.")

    def start(self) -> None:
        if self._controller is None or self._prompt is not None:
            return
        self._prompt = self._controller.start_challenge()
        self._started_at = time.monotonic()
        self.intro.setText("Say this to the caller now:")
        self.say.setText(f"“{self._prompt.say}”")
        self.countdown.setRange(0, max(1, int(self._prompt.timeout_s * 10)))
        self.result.setText("Waiting for the caller…")
        self.result_mark.clear()
        self._show_ready()
        self._tick()
        self._timer.start()

    def _tick(self) -> None:
        prompt, controller = self._prompt, self._controller
        if prompt is None or controller is None:
            self._timer.stop()
            return
        elapsed = time.monotonic() - self._started_at
        left = max(0.0, prompt.timeout_s - elapsed)
        self.countdown.setValue(int(left * 10))
        self.countdown.setFormat(f"{left:.0f} s left" if left > 0 else "time is up: scoring…")
        result = controller.challenge_result(prompt.challenge_id)
        if result is not None:
            self._finish(result)
        elif elapsed > prompt.timeout_s + self.grace_s:
            self._finish(None)

    def _finish(self, result: ChallengeResult | None) -> None:
        self._timer.stop()
        self._prompt = None
        self.last_result = result
        if result is None:
            self.result_mark.setPixmap(level_pixmap("unknown", 28))
            self.result.setText("<b>NO RESULT</b>: the challenge was not scored. Treat the call as not verified.")
        else:
            level, word = OUTCOME_LOOK.get(result.outcome, ("unknown", result.outcome.upper()))
            self.result_mark.setPixmap(level_pixmap(level, 28))
            self.result.setText(f"<b>{word}</b>: {evidence_text(result)}")
        self.result.setAccessibleDescription(self.result.text())
        self._show_ready()
        self.finished.emit()
