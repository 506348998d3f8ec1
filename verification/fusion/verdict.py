"""Verdict types: per participant and for the whole call."""

from __future__ import annotations

from dataclasses import dataclass, field

from verification.fusion.reasons import describe_not_judged


@dataclass(frozen=True)
class ParticipantVerdict:
    key: str  # "face #2", "voice", "video"
    track: int | None
    risk: float | None
    level: str
    llrs: dict[str, float] = field(default_factory=dict)  # smoothed, calibrated, per detector
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    risk: float | None  # None when nothing could be judged
    level: str  # low | elevated | high | unknown
    reasons: list[str] = field(default_factory=list)
    judged: list[str] = field(default_factory=list)  # detector ids that contributed
    participants: tuple[ParticipantVerdict, ...] = ()
    media_t: float | None = None

    def as_dict(self) -> dict:
        return {"risk": None if self.risk is None else round(self.risk, 4), "level": self.level,
                "reasons": list(self.reasons)}


def unknown_verdict(why: dict[str, str], media_t: float | None = None) -> Verdict:
    """Nothing judged: say why, grouped, and that the full procedure applies."""
    reasons = ["no detector could judge this call; the full confirmation procedure applies"]
    return Verdict(None, "unknown", reasons + describe_not_judged(why), [], (), media_t)
