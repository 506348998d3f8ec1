"""Alert rules for the voice: false alarms on real callers against detection of unseen generators.

A rule turns the voice detector's window scores (2 s every 0.5 s) into levels. Two families are
compared at several settings:
- `last-second +T`: the shipped CallFusion (mean LLR of the last second against 2:1 odds for
  `elevated`, 3.5 s of unbroken evidence against 9:1 for `high`), with its prior moved by -T nats;
- `cusum h`: evidence accumulated while it points to synthesis, S = max(0, S + LLR), `elevated`
  from S >= h and `high` from S >= 2.5 h (a CUSUM change detector: a real voice's windows pull S
  back to 0, a synthetic voice's push it up, wherever in the call it starts).

Calls of a few minutes are built from the voice recipe's cache (`models/voice/pipeline.py`): the
split's real speakers back to back, and each generator family's utterances back to back. Every
family is scored by the model trained without it (`lofo_<family>.onnx`), the real calls by each of
those models in turn, so "synthetic" means a generator the model never saw. Real calls are measured
in `elevated` (and `high`) episodes per hour; synthetic ones in the share of 20 s stretches that
reach `elevated` / `high`, as if the fake voice started there. Choose settings on `--split val`;
`--split test` is for reporting.

Usage: python benchmarks/alert_rule_tradeoff.py [--split val|test] [--cache DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models" / "voice"))  # the recipe's `voicetrain` as top level
from platformdirs import user_cache_dir  # noqa: E402
from voicetrain.items import load_audio, load_items  # noqa: E402
from verification.analyzer import RecordingAnalyzer  # noqa: E402
from verification.composition import build_model_loader  # noqa: E402
from verification.detectors.evidence import Evidence  # noqa: E402
from verification.detectors.registry import build_default_registry  # noqa: E402
from verification.fusion.calibration import CalibrationSet, load_calibration  # noqa: E402
from verification.fusion.combine import risk_from_llr  # noqa: E402
from verification.fusion.levels import ELEVATED_LLR, HIGH_LLR, ORDER, LevelTracker  # noqa: E402
from verification.fusion.live import CallFusion  # noqa: E402
from verification.inference.loader import ModelLoader  # noqa: E402
from verification.inference.manifest import load_manifest  # noqa: E402
from verification.pipeline.events import EvidenceReported  # noqa: E402
from verification.pipeline.runner import Engine, EngineConfig  # noqa: E402
from verification.sources.file_source import FileAudioSource  # noqa: E402

RATE = 16_000
Levels = Callable[[list[Evidence]], list[tuple[float, int]]]  # a rule: windows -> (t, level) each
CALL_S, MIN_CALL_S, STRETCH_S = 180.0, 30.0, 20.0


def build_calls(cache: Path, split: str, out: Path) -> dict[str, list[Path]]:
    """Group ("real" or a family) -> WAV calls of that split's utterances back to back."""
    audio: dict[str, np.ndarray] = {}
    for npz in sorted(cache.glob("audio_*.npz")):
        audio.update(load_audio(npz))
    groups: dict[str, list[str]] = defaultdict(list)
    for item in load_items(cache / "items.json"):
        if item.split == split and item.uid in audio:
            groups["real" if item.label == 0 else item.family].append(item.uid)
    rng = np.random.default_rng(0)
    calls: dict[str, list[Path]] = {}
    for group, uids in sorted(groups.items()):
        parts: list[np.ndarray] = []
        for uid in rng.permutation(sorted(uids)):
            parts += [audio[uid], np.zeros(int(rng.uniform(0.4, 1.2) * RATE), np.float32)]
        joined, size = np.concatenate(parts), int(CALL_S * RATE)
        calls[group] = []
        for k, start in enumerate(range(0, joined.size, size)):
            piece = joined[start:start + size]
            if piece.size >= MIN_CALL_S * RATE:
                calls[group].append(out / f"{group}_{k}.wav")
                soundfile.write(str(calls[group][-1]), piece, RATE)
    return calls


def held_out_analyzer(model: Path, model_dir: Path, work: Path) -> RecordingAnalyzer:
    """The voice detectors with `model` in place of the shipped voice_synthetic (hash-checked as usual)."""
    manifest = load_manifest()
    entries = []
    for entry in manifest.models:
        if entry.id == "voice_synthetic":
            data = model.read_bytes()
            entry = entry.model_copy(update={"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
        target = work / entry.file
        if not target.exists():
            target.symlink_to(model if entry.id == "voice_synthetic" else model_dir / entry.file)
        entries.append(entry)
    manifest = manifest.model_copy(update={"models": entries})
    return RecordingAnalyzer(build_default_registry(), ModelLoader(manifest, work), None, EngineConfig(),
                             calibration=load_calibration())


def voice_windows(analyzer: RecordingAnalyzer, path: Path) -> list[Evidence]:
    found: list[Evidence] = []

    def on_event(event: object) -> None:
        if isinstance(event, EvidenceReported) and event.evidence.detector_id == "voice_synthetic":
            if event.evidence.status == "ok":
                found.append(event.evidence)

    Engine(analyzer.registry.create_all(analyzer.models), None, EngineConfig(), on_event).run(None, FileAudioSource(path))
    return found


def last_second_levels(windows: list[Evidence], calibration: CalibrationSet, shift: float) -> list[tuple[float, int]]:
    fusion = CallFusion(calibration, prior_log_odds=-shift)
    levels = []
    for w in windows:
        fusion.add(w)
        levels.append((w.t1, ORDER[fusion.verdict(w.t1).level]))
    return levels


def cusum_levels(windows: list[Evidence], calibration: CalibrationSet, h: float) -> list[tuple[float, int]]:
    cal = calibration.for_detector("voice_synthetic")
    tracker, total, levels = LevelTracker(), 0.0, []
    for w in windows:
        total = max(0.0, total + cal.llr(float(w.score)))
        # map S onto the level thresholds: h -> 2:1 odds, 2.5 h -> 9:1, linear in between
        llr = ELEVATED_LLR * total / h if total < h else ELEVATED_LLR + (total - h) * (HIGH_LLR - ELEVATED_LLR) / (1.5 * h)
        levels.append((w.t1, ORDER[tracker.update(risk_from_llr(llr), w.t1)]))
    return levels


def real_rates(calls: list[list[Evidence]], levels_of: Levels) -> tuple[float, float, float]:
    """(`elevated` episodes per hour, `high` episodes per hour, % of time at `elevated` or above)."""
    hours = alerted = 0.0
    rises = {1: 0, 2: 0}
    for windows in calls:
        if not windows:
            continue
        levels = levels_of(windows)
        hours += (windows[-1].t1 - windows[0].t0) / 3600
        previous, last_t = 0, levels[0][0]
        for t, level in levels:
            alerted += (t - last_t) if previous >= 1 else 0.0
            for mark in rises:
                rises[mark] += previous < mark <= level
            previous, last_t = level, t
    hours = max(hours, 1e-9)
    return rises[1] / hours, rises[2] / hours, 100 * alerted / 3600 / hours


def stretch_hits(calls: list[list[Evidence]], levels_of: Levels) -> tuple[float, float]:
    """Share of STRETCH_S stretches of synthetic speech that reach `elevated`, and `high`."""
    hits = []
    for windows in calls:
        if not windows:
            continue
        start = windows[0].t0
        while start + STRETCH_S <= windows[-1].t1:
            part = [w for w in windows if start <= w.t0 and w.t1 <= start + STRETCH_S]
            top = max((level for _, level in levels_of(part)), default=0)
            hits.append((top >= 1, top >= 2))
            start += STRETCH_S
    return (float(np.mean([a for a, _ in hits])), float(np.mean([b for _, b in hits]))) if hits else (0.0, 0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("val", "test"), default="val")
    parser.add_argument("--cache", type=Path, default=Path(user_cache_dir("callshield", appauthor=False)) / "voice-train-seed0")
    args = parser.parse_args()
    lofo = sorted(args.cache.glob("lofo_*.onnx"))
    if not lofo or not (args.cache / "items.json").exists():
        print(f"alert_rule_tradeoff: no voice recipe cache with held-out-family models in {args.cache} "
              "(run models/voice/pipeline.py first)", file=sys.stderr)
        return 2
    model_dir = build_model_loader(None).model_dir
    with tempfile.TemporaryDirectory(prefix="alert-rules-") as tmp:
        calls = build_calls(args.cache, args.split, Path(tmp))
        real: dict[str, list[list[Evidence]]] = {}
        fake: dict[str, list[list[Evidence]]] = {}
        calibration = load_calibration()
        for k, model in enumerate(lofo, 1):
            family = model.stem[len("lofo_"):]
            work = Path(tmp) / family
            work.mkdir()
            analyzer = held_out_analyzer(model, model_dir, work)
            print(f"  scoring with the model trained without {family} ({k} of {len(lofo)})", end="\r",
                  file=sys.stderr, flush=True)
            real[family] = [voice_windows(analyzer, p) for p in calls.get("real", [])]
            fake[family] = [voice_windows(analyzer, p) for p in calls.get(family, [])]
        print(" " * 72, end="\r", file=sys.stderr, flush=True)
    minutes = sum(w[-1].t1 for w in real[next(iter(real))] if w) / 60
    print(f"split {args.split}: {len(real[next(iter(real))])} real calls ({minutes:.0f} min, scored by each of "
          f"{len(lofo)} held-out-family models); synthetic: {', '.join(sorted(fake))}")
    print(f"{'rule':18} {'real elev/h':>11} {'high/h':>7} {'alerted':>8} {'fake elev':>10} {'(worst)':>8} {'fake high':>10}")
    rules = [(f"last-second +{s}", lambda w, s=s: last_second_levels(w, calibration, s)) for s in (0.0, 0.5, 1.0, 1.5, 2.0)]
    rules += [(f"cusum {h}", lambda w, h=h: cusum_levels(w, calibration, h)) for h in (3.0, 4.0, 6.0, 8.0)]
    for name, levels_of in rules:
        rates = np.array([real_rates(real[f], levels_of) for f in real])
        hits = {f: stretch_hits(fake[f], levels_of) for f in fake}
        elevated = [a for a, _ in hits.values()]
        print(f"{name:18} {rates[:, 0].mean():>11.1f} {rates[:, 1].mean():>7.1f} {rates[:, 2].mean():>7.1f}% "
              f"{np.mean(elevated):>10.2f} {min(elevated):>8.2f} {np.mean([b for _, b in hits.values()]):>10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
