"""Plain-language reasons with the numbers behind them: one sentence per detector, the same words
in the report, the Why panel, the face badges and the timelines.

User-facing text never shows detector ids (they stay in the report's JSON keys): each detector
has a plain name, a sentence for what it found and one for finding nothing. A detector is either
judged (a sentence with its score) or not judged (a sentence with the reason), never both.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping, Sequence

from verification.detectors.evidence import DetectorResult, Evidence

#: what each detector checks, in the words people see (timeline rows, reasons)
DETECTOR_NAMES: Mapping[str, str] = MappingProxyType({
    "voice_synthetic": "Synthetic voice",
    "voice_identity": "Voice identity",
    "face_synthetic": "Face swap",
    "pulse": "Pulse (skin colour)",
    "blink": "Blinking",
    "av_sync": "Lip sync",
    "replay": "Replay / frozen",
    "challenge": "Challenge response",
})
#: what a flagged detector found
FOUND: Mapping[str, str] = MappingProxyType({
    "voice_synthetic": "the voice sounds synthesised or converted",
    "voice_identity": "the voice does not match the earlier or enrolled speaker",
    "face_synthetic": "the face shows swap or generation artefacts",
    "pulse": "no consistent pulse in the face",
    "blink": "the blinking looks unnatural",
    "av_sync": "lips and voice are out of step",
    "replay": "the video looks looped, frozen or replayed",
    "challenge": "the challenge response failed or distorted the face",
})
#: what a detector that found nothing says
CLEAR: Mapping[str, str] = MappingProxyType({
    "voice_synthetic": "the voice sounds natural",
    "voice_identity": "the same speaker throughout",
    "face_synthetic": "no swap or generation artefacts",
    "pulse": "a consistent pulse",
    "blink": "natural blinking",
    "av_sync": "lips and voice in step",
    "replay": "live, changing video",
    "challenge": "the challenge was answered naturally",
})
FLAG_AT = 0.5  # a window counts as "flagged" when its score is at least this


def plain_name(detector_id: str) -> str:
    return DETECTOR_NAMES.get(detector_id, detector_id.replace("_", " ").capitalize())


def _numbers(detector_id: str, latest: Evidence) -> str:
    """The detail a person can check, where the detector gives one."""
    details = latest.details or {}
    if detector_id == "av_sync" and isinstance(details.get("offset_ms"), (int, float)):
        return f", voice {details['offset_ms']:+.0f} ms from the lips"
    if detector_id == "pulse" and isinstance(details.get("hr_bpm"), (int, float)):
        return f", {details['hr_bpm']:.0f} beats/min"
    return ""


def describe(detector_id: str, windows: Sequence[Evidence], who: str | None, suspicious: bool | None = None) -> str:
    """One judged detector, e.g. "Synthetic voice: the voice sounds synthesised or converted (in
    8 of 10 checks over 5.5 s, score 0.93)"; `who` ("face #2") leads when there are several people.
    `suspicious` is fusion's reading of the detector (its calibrated, smoothed evidence); without
    it the newest window's score decides."""
    ok = [w for w in windows if w.status == "ok" and w.score is not None]
    if not ok:
        return not_judged_sentence([detector_id], "no judged window", who)
    latest = ok[-1]
    flagged = sum(1 for w in ok if (w.score or 0.0) >= FLAG_AT)
    span = ok[-1].t1 - ok[0].t0
    if suspicious is None:
        suspicious = (latest.score or 0.0) >= FLAG_AT
    finding = FOUND if suspicious else CLEAR
    text = finding.get(detector_id, "judged")
    lead = f"{who}: " if who else ""
    checks = "check" if len(ok) == 1 else "checks"
    counted = f"{flagged} of {len(ok)} {checks} flagged" if finding is CLEAR else f"in {flagged} of {len(ok)} {checks}"
    return (f"{lead}{plain_name(detector_id)}: {text} ({counted} over {span:.1f} s, "
            f"score {latest.score:.2f}{_numbers(detector_id, latest)})")


def describe_result(result: DetectorResult) -> str:
    """A detector judged over the whole call (its call-level result), in the same words."""
    ok = [w for w in result.windows if w.status == "ok" and w.score is not None]
    if ok:
        return describe(result.detector_id, ok, None)
    score = result.score if result.score is not None else 0.0
    finding = FOUND if score >= FLAG_AT else CLEAR
    return (f"{plain_name(result.detector_id)}: {finding.get(result.detector_id, 'judged')} "
            f"(over the whole call, score {score:.2f})")


def not_judged_sentence(detector_ids: Sequence[str], reason: str, who: str | None = None) -> str:
    """e.g. "Not judged: Lip sync, Blinking -- no face in view"."""
    lead = f"{who}: " if who else ""
    return f"{lead}Not judged: {', '.join(plain_name(d) for d in detector_ids)} — {reason}"


def describe_not_judged(reasons: Mapping[str, str]) -> list[str]:
    """Group detectors by the reason they could not judge (plain names, never ids)."""
    grouped: dict[str, list[str]] = {}
    for det, reason in reasons.items():
        grouped.setdefault(reason, []).append(det)
    return [not_judged_sentence(dets, reason) for reason, dets in grouped.items()]
