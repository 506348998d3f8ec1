"""Live fusion: keeps the newest non-stale evidence per detector (and face track) during a call."""

from __future__ import annotations

from dataclasses import dataclass, field

from verification.detectors.evidence import DetectorResult, Evidence, Modality
from verification.detectors.catalog import DETECTOR_SPECS
from verification.fusion.verdict import Verdict, fuse_results


@dataclass
class LiveFusion:
    stale_after_s: float = 10.0  # media seconds after which a window no longer speaks for "now"
    _latest: dict[tuple[str, int | None], Evidence] = field(default_factory=dict)
    _reasons: dict[str, str] = field(default_factory=dict)

    def add(self, evidence: Evidence) -> None:
        if evidence.status == "ok":
            self._latest[(evidence.detector_id, evidence.track)] = evidence
        else:
            self._reasons[evidence.detector_id] = evidence.reason or "not applicable"

    def verdict(self, now_t: float) -> Verdict:
        """Fuse the evidence still fresh at media time `now_t` (stale evidence is ignored)."""
        best: dict[str, Evidence] = {}
        for (det, _track), ev in self._latest.items():
            if now_t - ev.t1 > self.stale_after_s:
                continue
            if det not in best or (ev.score or 0.0) > (best[det].score or 0.0):
                best[det] = ev
        results = []
        for spec in DETECTOR_SPECS:
            ev = best.get(spec.id)
            if ev is not None:
                results.append(DetectorResult(spec.id, spec.modality, "ok", ev.score, None))
            else:
                reason = self._reasons.get(spec.id, "no recent evidence")
                results.append(DetectorResult.not_applicable(spec.id, Modality(spec.modality), reason))
        return fuse_results(results)
