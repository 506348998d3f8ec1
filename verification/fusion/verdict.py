"""Verdict types: per participant and for the whole call."""

from __future__ import annotations

from dataclasses import dataclass, field

from verification.fusion.advice import verdict_line
from verification.fusion.reasons import describe_not_judged

NOTHING_JUDGED = "Nothing could be judged yet: the full confirmation procedure applies"
TOO_LITTLE = "Too little could be judged: the full confirmation procedure applies"


@dataclass(frozen=True)
class ParticipantVerdict:
    key: str  # "face #2", "voice", "video"
    track: int | None
    risk: float | None  # None while not judged yet (level `unknown`)
    level: str
    llrs: dict[str, float] = field(default_factory=dict)  # smoothed, calibrated, per detector
    reasons: list[str] = field(default_factory=list)  # the first one fits the level
    judged_s: float = 0.0  # media seconds of this person the detectors have judged


@dataclass(frozen=True)
class Verdict:
    risk: float | None  # None when nothing could be judged
    level: str  # low | elevated | high | unknown
    reasons: list[str] = field(default_factory=list)
    judged: list[str] = field(default_factory=list)  # detector ids that contributed
    participants: tuple[ParticipantVerdict, ...] = ()
    media_t: float | None = None
    #: detector id -> its one sentence in this verdict (judged with a score, or not judged and why)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def advice(self) -> str:
        return verdict_line(self.level)

    def as_dict(self) -> dict:
        return {"risk": None if self.risk is None else round(self.risk, 4), "level": self.level,
                "reasons": list(self.reasons), "advice": self.advice}


def unknown_verdict(why: dict[str, str], media_t: float | None = None, first: list[str] | None = None,
                    judged: dict[str, str] | None = None) -> Verdict:
    """Nothing (or too little) judged: say why, grouped, and that the full procedure applies.
    `judged` holds the sentences of detectors that judged something all the same."""
    judged = judged or {}
    reasons = (first or []) + [TOO_LITTLE if judged else NOTHING_JUDGED] + list(judged.values())
    notes = dict(judged)
    notes.update({det: describe_not_judged({det: reason})[0] for det, reason in why.items()})
    return Verdict(None, "unknown", reasons + describe_not_judged(why), [], (), media_t, notes)
