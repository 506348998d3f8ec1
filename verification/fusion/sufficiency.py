"""How much judged evidence a person needs before CallShield may call them `low` risk.

People read a green `low` as "safe to pay", so `low` is a claim about evidence, not the absence
of alarms: a voice or a face is `low` only after the detectors have judged enough of it. Until
then its level is `unknown` ("not judged yet") with the shortfall as the reason. Alarms need no
such floor: spoof evidence raises the level at once (its own smoothing and the `sustain_s` rule
in `verification.fusion.live` keep one odd window from doing so).

Why these amounts (the one place they are set):
- speech: 4 s of judged speech. The voice detectors judge 2 s windows every 0.5 s; a `high` alarm
  needs 3.5 s of unbroken evidence (`CallFusion.sustain_s`), and reassurance must not need less
  than an alarm. Real voices the voice model never heard can score like synthesis for a second
  or two, and a speaker change needs an earlier stretch of the same voice to compare with. Short
  clips (a 1-3 s voice note) therefore stay "not judged yet" -- the full procedure applies.
- face video: 4 s of judged face video. Pulse needs several heart beats and blinks come every 2-10 s;
  the face-swap classifier judges about one frame a second, so 4 s is four independent looks.

Judged seconds are the union of the time spans of a person's `ok` windows (overlapping windows
count once), over every detector that judges that person; for speech, only the speech in them.
"""

from __future__ import annotations

from typing import Iterable

from verification.detectors.evidence import Evidence

#: judged speech, in media seconds, before a voice may be `low`
MIN_SPEECH_S = 4.0
#: judged face video, in media seconds, before a face may be `low`
MIN_FACE_S = 4.0


def judged_seconds(windows: Iterable[Evidence], unseen: Iterable[tuple[float, float]] = ()) -> float:
    """Length of the union of the `ok` windows' spans. A window that says how much of it was speech
    (`details["speech_share"]`, from the voice detectors) counts only that share of the time it adds,
    so 2 s windows around 1.2 s of speech count 1.2 s, as the detectors' own reasons do. Time in
    `unseen` (a source was lost: nothing was captured) never counts, even inside a window."""
    spans = sorted((w.t0, w.t1, _share(w)) for w in windows if w.status == "ok" and w.t1 > w.t0)
    holes = sorted(unseen)
    total, end = 0.0, float("-inf")
    for t0, t1, share in spans:
        if t1 <= end:
            continue
        start = max(t0, end)
        total += (t1 - start - _overlap(start, t1, holes)) * share
        end = t1
    return total


def _overlap(a: float, b: float, holes: list[tuple[float, float]]) -> float:
    """How much of [a, b) the (possibly overlapping) `holes` cover."""
    covered, end = 0.0, a
    for h0, h1 in holes:
        lo, hi = max(h0, end), min(h1, b)
        if hi > lo:
            covered += hi - lo
            end = hi
    return covered


def _share(window: Evidence) -> float:
    share = (window.details or {}).get("speech_share")
    return float(share) if isinstance(share, (int, float)) and 0.0 <= share <= 1.0 else 1.0


def needed_seconds(participant: str) -> tuple[float, str]:
    """(seconds needed, what is counted) for a participant key: "voice", "face #2", "video"; what is counted reads "only 2.0 s of the face judged"."""
    if participant == "voice":
        return MIN_SPEECH_S, "speech"
    return MIN_FACE_S, "the face"


def shortfall(participant: str, seconds: float) -> str | None:
    """Why a participant cannot be `low` yet (e.g. "only 0.5 s of speech so far; 4 s needed"),
    or None when enough has been judged."""
    need, what = needed_seconds(participant)
    if seconds + 1e-6 >= need:
        return None
    return f"only {seconds:.1f} s of {what} judged so far; {need:.0f} s needed"
