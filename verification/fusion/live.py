"""Call fusion: evidence in, verdicts out, per participant and for the call.

Small explicit state: the recent windows per (participant, detector), one level tracker per
participant and for the call, the not-judged reasons, and the worst verdict seen (the report's).
Everything is keyed by media time, so a recording gives the same verdicts as the live call.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace
from typing import Sequence

from verification.detectors.catalog import spec_for
from verification.detectors.evidence import DetectorResult, Evidence, Modality
from verification.fusion.calibration import CalibrationSet
from verification.fusion.combine import group_llrs, risk_from_llr, total_llr
from verification.fusion.levels import ORDER, LevelTracker, level_for
from verification.fusion.reasons import describe, describe_not_judged, describe_result
from verification.fusion.sufficiency import judged_seconds, needed_seconds, shortfall
from verification.fusion.verdict import ParticipantVerdict, Verdict, unknown_verdict
from verification.pipeline.reconnect import NotJudgedSpan

KEEP_WINDOWS = 64
#: a short burst may raise the risk this far (`elevated`), never to `high` on its own
BURST_CAP = 0.85


def sustained_span(windows: list[Evidence], sustain_s: float, max_gap_s: float) -> list[Evidence]:
    """The windows ending in the last `sustain_s` media seconds, if the evidence reaches back that
    far without a pause longer than `max_gap_s`; otherwise none (not enough to confirm `high`)."""
    end = windows[-1].t1
    start = len(windows) - 1
    while start > 0 and windows[start].t1 > end - sustain_s + 1e-6:
        if windows[start].t1 - windows[start - 1].t1 > max_gap_s:
            return []
        start -= 1
    if windows[start].t1 > end - sustain_s + 1e-6:
        return []
    return [w for w in windows[start:] if w.t1 >= end - sustain_s - 1e-6]


def confirmed_risk(fast: float, steady: float) -> float:
    """Risk from the short smoothing (`fast`), held below `high` unless the sustained evidence
    (`steady`) is there too. Monotone in both, so more spoof evidence never lowers it."""
    return max(steady, min(fast, BURST_CAP))


def participant_of(evidence: Evidence) -> tuple[str, int | None]:
    if evidence.track is not None:
        return f"face #{evidence.track}", evidence.track
    modality = spec_for(evidence.detector_id).modality
    return ("voice" if modality == Modality.AUDIO else "video"), None


@dataclass
class CallFusion:
    calibration: CalibrationSet = field(default_factory=CalibrationSet)
    stale_after_s: float = 10.0  # media seconds after which a window no longer speaks for "now"
    # mean LLR of the windows ending in the last `smooth_s` media seconds: 3 audio windows (0.5 s
    # hops), 2 video judgements (1 s apart), so one odd window cannot raise an alert
    smooth_s: float = 1.0
    # `high` needs the mean LLR over this many media seconds of unbroken evidence (8 audio windows):
    # real voices the model never heard score like synthesis for a second or two, not for four
    sustain_s: float = 3.5
    max_gap_s: float = 2.5  # a longer pause between windows breaks "unbroken"
    hold_s: float = 4.0
    prior_log_odds: float = 0.0
    _windows: dict[tuple[str, str], deque[Evidence]] = field(default_factory=dict)
    _tracks: dict[str, int | None] = field(default_factory=dict)
    _not_judged: dict[str, str] = field(default_factory=dict)
    _trackers: dict[str, LevelTracker] = field(default_factory=dict)
    _call: LevelTracker | None = None
    _peak: Verdict | None = None
    _latest: Verdict | None = None
    _last_risk: float | None = None
    _participant_peaks: dict[str, ParticipantVerdict] = field(default_factory=dict)
    _gaps: list[NotJudgedSpan] = field(default_factory=list)  # a lost source: nothing captured there

    def add(self, evidence: Evidence) -> None:
        if evidence.status != "ok":
            self._not_judged[evidence.detector_id] = evidence.reason or "not applicable"
            return
        key, track = participant_of(evidence)
        self._tracks[key] = track
        self._windows.setdefault((key, evidence.detector_id), deque(maxlen=KEEP_WINDOWS)).append(evidence)
        self._not_judged.pop(evidence.detector_id, None)

    def add_gap(self, span: NotJudgedSpan) -> None:
        """A source was lost for `span`: that time is never judged evidence for its people."""
        if span not in self._gaps:
            self._gaps.append(span)

    def _unseen(self, key: str) -> list[tuple[float, float]]:
        source = "audio" if key == "voice" else "video"
        return [(g.t0, g.t1) for g in self._gaps if g.source == source]

    def _participant(self, key: str, now_t: float) -> tuple[ParticipantVerdict, dict[str, str]] | None:
        """This person's verdict now, and each of their judged detectors' sentence."""
        llrs: dict[str, float] = {}
        sustained: dict[str, float] = {}
        recent: dict[str, list[Evidence]] = {}
        kept: list[Evidence] = []
        for (who, det), windows in self._windows.items():
            if who != key:
                continue
            kept.extend(windows)
            fresh = [w for w in windows if now_t - w.t1 <= self.stale_after_s]
            if not fresh:
                continue
            cal = self.calibration.for_detector(det)
            last = [w for w in fresh if w.t1 >= fresh[-1].t1 - self.smooth_s - 1e-6]
            llrs[det] = sum(cal.llr(float(w.score)) for w in last) / len(last)
            span = sustained_span(fresh, self.sustain_s, self.max_gap_s)
            if span:
                sustained[det] = sum(cal.llr(float(w.score)) for w in span) / len(span)
            recent[det] = fresh
        if not llrs:
            return None
        fast = risk_from_llr(total_llr(llrs), self.prior_log_odds)
        steady = risk_from_llr(total_llr(sustained), self.prior_log_odds) if sustained else 0.0
        risk = confirmed_risk(fast, steady)
        track = self._tracks.get(key)
        judged_s = judged_seconds(kept, self._unseen(key))
        short = shortfall(key, judged_s)
        tracker = self._trackers.setdefault(key, LevelTracker(self.hold_s))
        # not enough judged yet: no reassurance (`low`), though an alert still rises or holds
        level = tracker.update(None if short and level_for(risk) == "low" else risk, now_t)
        alert = level in ("elevated", "high")
        label = key[:1].upper() + key[1:]  # "Face #2", "Voice"
        who = label if track is not None else None  # voice/video sentences name themselves
        deciding = sorted(group_llrs(llrs).values(), key=lambda d: d[1], reverse=True)
        notes = {det: describe(det, recent[det], who, suspicious=alert and llrs[det] > 0) for det in llrs}
        if level == "unknown":
            reasons = [f"{label}: not judged yet — {short}"]
        elif level == "low":
            _need, what = needed_seconds(key)
            reasons = [f"{label}: no signs of synthetic media in {judged_s:.1f} s of {what}"]
        else:
            reasons = [notes[det] for det, llr in deciding if llr > 0]
            if not reasons:  # an alert held by hysteresis after the evidence eased
                reasons = [f"{label}: flagged moments ago; the level falls after {self.hold_s:.0f} s "
                           "without signs of synthetic media"]
            if fast > risk and level != "high":
                reasons.append(f"Not high yet: that needs {self.sustain_s:.1f} s of consistent evidence")
        verdict = ParticipantVerdict(key, track, risk if level != "unknown" else None, level, llrs, reasons,
                                     judged_s)
        peak = self._participant_peaks.get(key)
        if peak is None or (ORDER[level], round(risk, 6)) > (ORDER[peak.level], round(peak.risk or 0.0, 6)):
            self._participant_peaks[key] = verdict
        return verdict, notes

    def verdict(self, now_t: float, problems: Sequence[str] = ()) -> Verdict:
        """The call's verdict at media time `now_t`. `problems` are source failures so far (a
        recording that broke off, a lost device): they lead the reasons, and no one is `low`."""
        people: list[ParticipantVerdict] = []
        notes: dict[str, str] = {}
        strongest: dict[str, float] = {}
        for key in sorted(self._tracks):
            judged = self._participant(key, now_t)
            if judged is None:
                continue
            person, person_notes = judged
            people.append(person)
            for det, sentence in person_notes.items():  # several faces: the most suspicious one speaks
                if det not in strongest or person.llrs[det] > strongest[det]:
                    strongest[det], notes[det] = person.llrs[det], sentence
        if self._call is None:
            self._call = LevelTracker(self.hold_s)
        not_judged = {d: r for d, r in self._not_judged.items() if d not in notes}
        alerts = [p for p in people if p.level in ("elevated", "high")]
        pending = [p for p in people if p.level == "unknown"]
        if not people:
            # evidence went stale (face left, silence): keep an alert, report the last risk
            level = self._call.update(None, now_t)
            if level == "unknown":
                return unknown_verdict(not_judged, now_t, first=[problem_sentence(p) for p in dict.fromkeys(problems)])
            risk: float | None = self._last_risk
        elif alerts or not pending:
            worst = max(alerts or people, key=lambda p: (ORDER[p.level], p.risk or 0.0))
            risk = worst.risk
            self._last_risk = risk
            level = self._call.update(risk, now_t)
        else:  # someone is not judged yet and no one is alarming: not `low`
            level = self._call.update(None, now_t)
            risk = self._last_risk if level != "unknown" else None
        ranked = sorted(people, key=lambda p: (-ORDER[p.level], -(p.risk or 0.0)))
        reasons = [r for p in ranked for r in p.reasons]
        reasons += [n for n in notes.values() if n not in reasons]
        judged = sorted({d for p in people for d in p.llrs})
        notes.update({det: describe_not_judged({det: why})[0] for det, why in not_judged.items()})
        if problems:
            reasons = [problem_sentence(p) for p in dict.fromkeys(problems)] + reasons
            if level == "low":  # what comes after the failure was never seen
                level, risk = "unknown", None
                people = [replace(p, level="unknown", risk=None) if p.level == "low" else p for p in people]
        verdict = Verdict(risk, level, reasons + describe_not_judged(not_judged), judged,
                          tuple(people), now_t, notes)
        self._latest = verdict
        # the first moment the worst level and risk were reached (ties keep the earlier one)
        if self._peak is None or (ORDER[level], round(risk or 0.0, 6)) > (ORDER[self._peak.level],
                                                                          round(self._peak.risk or 0.0, 6)):
            self._peak = verdict
        return verdict

    def participant_peaks(self) -> dict[str, ParticipantVerdict]:
        """The worst verdict each participant reached during the call."""
        return dict(self._participant_peaks)

    def final_verdict(self, results: list[DetectorResult], problems: Sequence[str] = ()) -> Verdict:
        """The call's verdict for reports: its worst moment, or `unknown` if nothing was judged.

        `problems` are the sources' failures (a damaged or cut-short recording, a lost device):
        the media after them was never seen, so they lead the reasons and a `low` becomes `unknown`.
        """
        problems = list(dict.fromkeys(problems))  # both capture threads may report one loss
        damage = [problem_sentence(p) for p in problems if not any(g.reason == p for g in self._gaps)]
        damage += [gap_sentence(g) for g in self._gaps if g.reason in problems]  # never came back
        gaps = [gap_sentence(g) for g in self._gaps if g.reason not in problems]  # came back: said, not fatal
        not_judged = {r.detector_id: r.reason or "no result" for r in results if r.status != "ok"}
        if self._peak is None or (results and not any(r.status == "ok" for r in results)):
            # the detectors' call-level say wins: windows alone (e.g. 1.2 s of speech) judge nothing
            judged = {r.detector_id: describe_result(r) for r in results if r.status == "ok"}
            return unknown_verdict(not_judged, first=damage + gaps, judged=judged)
        # never judged well enough to reach a level: the end says the most (the most evidence)
        peak = self._latest if self._peak.level == "unknown" and self._latest is not None else self._peak
        dropped = {peak.notes[d] for d in not_judged if d in peak.notes}  # judged in windows, not overall
        # a person none of whose detectors judged the call as a whole: the detectors' lines say why
        unjudged = tuple(f"{p.key[:1].upper()}{p.key[1:]}: " for p in peak.participants
                         if p.llrs and all(d in not_judged for d in p.llrs))
        leading = set(damage + gaps)  # the live verdict said them too: once is enough
        kept = [r for r in peak.reasons if r not in dropped and r not in leading
                and not r.startswith("Not judged") and not r.startswith(unjudged or ("\0",))]
        level, risk, people = peak.level, peak.risk, peak.participants
        # a person none of whose detectors judged the call: the first detector's reason, as in Why
        people = tuple(replace(p, level="unknown", risk=None,
                               reasons=[f"{p.key[:1].upper()}{p.key[1:]}: not judged yet — {not_judged[next(iter(p.llrs))]}"])
                       if p.llrs and all(d in not_judged for d in p.llrs) and p.level in ("low", "unknown") else p
                       for p in people)
        if damage and level in ("low", "unknown"):
            level, risk = "unknown", None
            # nobody is `low` on a recording that broke off: the rest of it was never seen
            people = tuple(replace(p, level="unknown", risk=None, reasons=damage[:1]) if p.level == "low" else p
                           for p in people)
        when = [] if level == "unknown" else [f"Worst moment at {peak.media_t:.1f} s" if peak.media_t is not None
                                              else "Worst moment"]
        # the call-level results replace what the worst moment could not judge yet
        notes = {d: n for d, n in peak.notes.items() if d not in not_judged and not n.startswith("Not judged")}
        for r in results:  # judged over the whole call though not at the worst moment (e.g. at the end)
            if r.status == "ok" and r.detector_id not in notes:
                notes[r.detector_id] = describe_result(r)
                kept.append(notes[r.detector_id])
        notes.update({det: describe_not_judged({det: why})[0] for det, why in not_judged.items()})
        return Verdict(risk, level, damage + gaps + kept + when + describe_not_judged(not_judged),
                       [d for d in peak.judged if d not in not_judged], people, peak.media_t, notes)


def gap_sentence(span: NotJudgedSpan) -> str:
    """A lost source in words: what was not judged, from when to when, and why."""
    what = "The video" if span.source == "video" else "The sound"
    return f"{what} was not judged from {span.t0:.1f} s to {span.t1:.1f} s: {_without_path(span.reason)}"


def _without_path(message: str) -> str:
    head, sep, rest = message.partition(": ")
    return rest if sep and ("/" in head or "\\" in head) else message


def problem_sentence(message: str) -> str:
    """A source failure in words: damage to a recording says so, other failures say what stopped."""
    head, sep, rest = message.partition(": ")
    detail = rest if sep and ("/" in head or "\\" in head or "." in head) else message  # drop the file path
    if "truncated or corrupt" in detail:
        return f"The recording is damaged or cut short: {detail}; nothing after that point was analysed"
    return f"Part of the call could not be read: {detail}; nothing after that point was analysed"
