"""The call's level, what to do about it, the risk, the reasons in plain words, and each
participant's own verdict."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QSizePolicy, QVBoxLayout,
                               QWidget)

from desktop.views.level_style import level_icon, level_pixmap, style_for
from verification.fusion.levels import ELEVATED_AT, HIGH_AT
from verification.fusion.verdict import ParticipantVerdict, Verdict


def risk_text(risk: float | None) -> str:
    if risk is None:
        return "Risk: not judged"
    return (f"Risk {risk * 100:.0f} of 100 (elevated from {ELEVATED_AT * 100:.0f}, "
            f"high from {HIGH_AT * 100:.0f})")


def participant_text(p: ParticipantVerdict) -> str:
    """e.g. "voice — NOT JUDGED YET: only 0.5 s of speech judged so far; 4 s needed"."""
    risk = "" if p.risk is None else f", risk {p.risk * 100:.0f}"
    reason = p.reasons[0] if p.reasons else ""
    label = f"{p.key[:1].upper()}{p.key[1:]}: "
    reason = reason[len(label):] if reason.startswith(label) else reason  # the line already names them
    reason = reason.removeprefix("not judged yet — ")  # the level already says it
    return f"{p.key} — {style_for(p.level).short}{risk}" + (f": {reason}" if reason else "")


class _ShortList(QListWidget):
    """A list that asks for little height (Qt's default asks for 192 px) and takes what is spare, so the
    challenge and the scam cues below keep their place on a 768 px screen."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), 2 * self.minimumHeight())


class VerdictPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.mark = QLabel()
        self.mark.setFixedSize(40, 40)
        head.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        self.headline = QLabel()
        self.headline.setObjectName("headline")
        self.headline.setAccessibleName("Call risk level")
        self.headline.setWordWrap(True)
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.advice.setAccessibleName("What to do")
        self.risk = QLabel()
        self.risk.setAccessibleName("Call risk")
        self.risk.setWordWrap(True)
        words.addWidget(self.headline)
        words.addWidget(self.advice)
        words.addWidget(self.risk)
        for label in (self.headline, self.advice, self.risk):  # the lists give way, never the verdict
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        head.addLayout(words, 1)
        layout.addLayout(head)
        layout.addWidget(QLabel("<b>Why</b>"))
        self.reasons = _ShortList()
        self.reasons.setAccessibleName("Reasons for the risk level")
        self.reasons.setWordWrap(True)
        self.reasons.setMinimumHeight(56)
        layout.addWidget(self.reasons, 2)
        layout.addWidget(QLabel("<b>People in the call</b>"))
        self.participants = _ShortList()
        self.participants.setAccessibleName("Verdict for each person in the call")
        self.participants.setWordWrap(True)
        self.participants.setMinimumHeight(44)
        layout.addWidget(self.participants, 1)
        self._forget()
        self.show_idle()

    def _forget(self) -> None:
        self._shown_level: tuple[str, str | None] | None = None
        self._shown_reasons: tuple[str, ...] | None = None
        self._shown_people: tuple[tuple[str, str], ...] | None = None

    def _set_level(self, level: str, headline: str | None = None) -> None:
        style = style_for(level)
        self.mark.setPixmap(level_pixmap(level, 40))
        self.headline.setText(headline or style.word)
        self.headline.setStyleSheet(f"font-size: 15pt; font-weight: 700; color: {style.colour};")
        self.advice.setText(style.advice)
        self.setStyleSheet(f"#verdictPanel {{ background: {style.tint}; border: 2px solid {style.colour};"
                           " border-radius: 6px; }")
        self.setAccessibleDescription(f"{self.headline.text()}. {style.advice}")

    def show_idle(self) -> None:
        self._forget()
        self._set_level("unknown", "NOT WATCHING")
        self.advice.setText("Choose the call's window (or a screen region, camera or recording) and press Start.")
        self.risk.setText("")
        self.reasons.clear()
        self.participants.clear()

    def show_verdict(self, verdict: Verdict, headline: str | None = None, note: str | None = None) -> None:
        # Verdicts arrive many times a second: rebuild only what changed, so a list the user is
        # reading (or a screen reader is on) keeps its place.
        look = (verdict.level, headline)
        if look != self._shown_level:
            self._shown_level = look
            self._set_level(verdict.level, headline)
        risk = risk_text(verdict.risk)
        if note and verdict.risk is not None:
            risk = f"{note} {risk[:1].lower()}{risk[1:]}"
        elif note:
            risk = f"{note} {risk}"
        self.risk.setText(risk)
        reasons = tuple(verdict.reasons)
        if reasons != self._shown_reasons:
            self._shown_reasons = reasons
            self.reasons.clear()
            self.reasons.addItems(list(reasons))
        people = tuple((p.level, participant_text(p)) for p in verdict.participants)
        if people != self._shown_people:
            self._shown_people = people
            self.participants.clear()
            for level, text in people:
                self.participants.addItem(QListWidgetItem(level_icon(level), text))
            if not people:
                self.participants.addItem("No one judged yet: faces and voices appear here once a detector "
                                          "can judge them.")

    def reason_texts(self) -> list[str]:
        return [self.reasons.item(i).text() for i in range(self.reasons.count())]
