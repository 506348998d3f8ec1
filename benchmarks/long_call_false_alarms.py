"""False alarms over long real calls: how often, and for how long, real speech raises the verdict.

Files of a few seconds understate what a user sees: the verdict takes the worst moment, so a
longer call has more chances to trip. This builds calls of a few minutes from the shared real
speech, grouped by whether the voice model trained on the speaker (the recipe's seeded split):
LibriSpeech readers back to back (one utterance each, so the voice changes every ~13 s, as in a
conference call), FSDD speakers' digits one speaker per call, and the LJSpeech reader alone.
Each call goes through the audio engine as a recording (voice_synthetic and voice_identity);
the verdict timeline is read from its events.

Prints per group: calls, minutes, calls that reached `elevated` / `high`, `elevated` episodes per
hour (a rise from below), the share of call time spent at `elevated` or above, and which
detector held the strongest spoof evidence while it was.

With --sweep T1,T2,...: the voice-synthesis windows of every call are also replayed through the
call fusion alone with `elevated` moved to each raw threshold T (the model's log-odds averaged over
the last second; the calibration's slope kept, so `high` moves with it), to show how far the
operating point would have to move for these calls to stay quiet. Read the validation groups to
choose, the test groups to report; what such a move costs in time to alert is measured by
bench_time_to_alert.py with the same calibration.

Usage: python benchmarks/long_call_false_alarms.py [--minutes 3] [--keep DIR] [--sweep 0.26,1,2,3]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models" / "voice"))  # the recipe's `voicetrain` as top level
sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_footage_labels import voice_groups  # noqa: E402
from voicetrain.audio_io import RATE, load_16k, trim_silence  # noqa: E402
from voicetrain.modern import load_splits  # noqa: E402
from verification.composition import build_analyzer  # noqa: E402
from verification.detectors.evidence import Evidence  # noqa: E402
from verification.fusion.calibration import Calibration, CalibrationSet  # noqa: E402
from verification.fusion.levels import ELEVATED_AT, ELEVATED_LLR, ORDER  # noqa: E402
from verification.fusion.live import CallFusion  # noqa: E402
from verification.fusion.thresholds import elevated_at  # noqa: E402
from verification.pipeline.events import EvidenceReported, VerdictChanged  # noqa: E402
from verification.pipeline.runner import Engine, EngineConfig  # noqa: E402
from verification.sources.file_source import FileAudioSource  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def _calls(paths: list[str], pause_s: tuple[float, float], minutes: float | None, rng: np.random.Generator,
           out: Path, name: str) -> list[Path]:
    """Calls of `minutes` cut from the files back to back (None: one call of them all)."""
    parts: list[np.ndarray] = []
    for rel in paths:
        parts += [trim_silence(load_16k(DATA / rel)), np.zeros(int(rng.uniform(*pause_s) * RATE), np.float32)]
    audio = np.concatenate(parts)
    size, files = (audio.size if minutes is None else int(minutes * 60 * RATE)), []
    for k, start in enumerate(range(0, audio.size, size)):
        piece = audio[start:start + size]
        if piece.size < size // 2:
            break  # a short remainder would not be a long call
        files.append(out / f"{name}_{k}.wav")
        soundfile.write(str(files[-1]), piece, RATE)
    return files


def build_calls(minutes: float, out: Path, unheard_only: bool = False) -> dict[str, list[Path]]:
    rows = list(csv.DictReader(open(DATA / "manifest.csv", newline="", encoding="utf-8")))
    groups = voice_groups(rows)
    rng = np.random.default_rng(0)
    calls: dict[str, list[Path]] = {}
    lj = sorted(r["path"] for r in rows if "/ljspeech_coqui/" in r["path"])
    calls["LJSpeech reader (never in training)"] = _calls(lj, (0.4, 1.2), None, rng, out, "ljspeech")
    # the newer real speech (non-native, VCTK, LibriTTS, AISHELL-3, CMU ARCTIC): its test speakers only
    new_split = load_splits([r for r in rows if r["path"].startswith("speech/real_more/")], 0)
    newer = [r["path"] for r in rows if r["path"].startswith("speech/real_more/")
             and new_split[r["speaker_or_identity"]] == "test"]
    own = np.random.default_rng(1)  # its own stream: the other groups' calls stay as they were
    calls["newer real speakers, test (never trained on)"] = _calls(list(own.permutation(newer)), (0.4, 1.2),
                                                                   minutes, own, out, "newer_test")
    if unheard_only:
        libri = [r["path"] for r in rows if "/librispeech_resemblyzer/" in r["path"]
                 and groups.get(r["speaker_or_identity"]) == "voice test speakers (never trained on)"]
        calls["LibriSpeech readers, test"] = _calls(list(rng.permutation(libri)), (0.4, 1.2), minutes, rng, out,
                                                    "libri_test")
        return calls
    for split in ("voice test speakers (never trained on)", "voice validation speakers", "voice training speakers"):
        libri = [r["path"] for r in rows if "/librispeech_resemblyzer/" in r["path"]
                 and groups.get(r["speaker_or_identity"]) == split]
        tag = split.split(" ")[1]
        calls[f"LibriSpeech readers, {tag}"] = _calls(list(rng.permutation(libri)), (0.4, 1.2), minutes, rng, out,
                                                     f"libri_{tag}")
    fsdd: dict[str, list[Path]] = defaultdict(list)
    for speaker in sorted({r["speaker_or_identity"] for r in rows if "/fsdd/" in r["path"]}):
        clips = [r["path"] for r in rows if r["speaker_or_identity"] == speaker]
        tag = groups.get(speaker, "").split(" ")[1]
        fsdd[f"FSDD digits, {tag}"] += _calls(list(rng.permutation(clips)), (0.15, 0.4), minutes, rng, out, speaker)
    calls.update(fsdd)
    return calls


def timeline(analyzer, path: Path, voice: list[Evidence] | None = None) -> list[tuple[float, str, str]]:
    """(media time, level, the detector with the strongest spoof evidence) at every verdict; the
    voice-synthesis windows the detector judged go to `voice` when given."""
    events: list[tuple[float, str, str]] = []

    def on_event(event: object) -> None:
        if voice is not None and isinstance(event, EvidenceReported):
            if event.evidence.detector_id == "voice_synthetic" and event.evidence.status == "ok":
                voice.append(event.evidence)
        if isinstance(event, VerdictChanged):
            v = event.verdict
            llrs = [(llr, d) for p in v.participants for d, llr in p.llrs.items()]
            # attribute only the verdicts whose own risk is at `elevated`, not those the level's
            # hysteresis holds there for a few seconds after the evidence has fallen
            rising = v.risk is not None and v.risk >= ELEVATED_AT and llrs
            events.append((event.media_t, v.level, max(llrs)[1] if rising else "-"))

    engine = Engine(analyzer.registry.create_all(analyzer.models), None, EngineConfig(), on_event,
                    fusion=CallFusion(analyzer.calibration))
    engine.run(None, FileAudioSource(path))
    return events


def summarise(group: str, timelines: list[list[tuple[float, str, str]]]) -> str:
    minutes = sum(t[-1][0] for t in timelines if t) / 60
    reached = Counter(max((ORDER[lvl] for _, lvl, _ in t), default=-1) for t in timelines)
    episodes, alert_s, drivers = 0, 0.0, Counter()
    for t in timelines:
        previous, last_t = "low", 0.0
        for now, level, strongest in t:
            if ORDER[level] >= ORDER["elevated"]:
                alert_s += now - last_t
                if strongest != "-":
                    drivers[strongest] += 1
                episodes += ORDER[previous] < ORDER["elevated"]
            previous, last_t = level, now
    alert_share = 100 * alert_s / max(1e-9, 60 * minutes)
    who = ", ".join(f"{d} {n}" for d, n in drivers.most_common()) or "-"
    return (f"{group:46} {len(timelines):>5} {minutes:>6.1f} {reached[1] + reached[2]:>9} {reached[2]:>5} "
            f"{60 * episodes / max(1e-9, minutes):>10.0f} {alert_share:>7.1f}%   {who}")


def replay(windows: list[Evidence], calibration: Calibration) -> list[tuple[float, str, str]]:
    """The call's levels from these voice windows alone under `calibration` (timeline's layout)."""
    fusion = CallFusion(CalibrationSet(1, {"voice_synthetic": calibration}))
    events: list[tuple[float, str, str]] = []
    for window in windows:
        fusion.add(window)
        verdict = fusion.verdict(window.t1)
        rising = verdict.risk is not None and verdict.risk >= ELEVATED_AT
        events.append((window.t1, verdict.level, "voice_synthetic" if rising else "-"))
    return events


def sweep_table(thresholds: list[float], shipped: Calibration, voice: dict[str, list[list[Evidence]]]) -> None:
    print(f"\nvoice windows alone, `elevated` moved to a raw log-odds threshold (shipped: "
          f"{(ELEVATED_LLR - shipped.b) / shipped.a:.2f}; slope a = {shipped.a:.3f} kept)")
    for t in thresholds:
        moved = elevated_at(shipped, t)
        print(f"threshold {t:.2f}")
        for group, calls in voice.items():
            print("  " + summarise(group, [replay(w, moved) for w in calls if w]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=3.0, help="length of each built call")
    parser.add_argument("--keep", type=Path, default=None, help="write the calls here and keep them")
    parser.add_argument("--unheard-only", action="store_true",
                        help="only speakers the voice model never trained on (LJSpeech, LibriSpeech test, newer real)")
    parser.add_argument("--sweep", default="", help="raw log-odds thresholds for `elevated` to replay the voice at")
    args = parser.parse_args()
    thresholds = [float(t) for t in args.sweep.split(",") if t.strip()]
    out = args.keep or Path(tempfile.mkdtemp(prefix="long-calls-"))
    out.mkdir(parents=True, exist_ok=True)
    calls = build_calls(args.minutes, out, args.unheard_only)
    analyzer = build_analyzer(None, EngineConfig(), with_faces=False)
    print(f"{'group':46} {'calls':>5} {'min':>6} {'elevated+':>9} {'high':>5} {'episodes/h':>10} {'alerted':>8}"
          f"   strongest detector while alerted (verdicts)")
    voice: dict[str, list[list[Evidence]]] = {}
    for group, files in calls.items():
        timelines = []
        for k, path in enumerate(files, 1):
            print(f"  {group}: call {k} of {len(files)}", end="\r", file=sys.stderr, flush=True)
            voice.setdefault(group, []).append([])
            timelines.append(timeline(analyzer, path, voice[group][-1]))
        print(" " * 72, end="\r", file=sys.stderr, flush=True)  # clear the progress line
        print(summarise(group, timelines))
    if thresholds:
        sweep_table(thresholds, analyzer.calibration.for_detector("voice_synthetic"), voice)
    if args.keep is None:
        for path in out.glob("*.wav"):
            path.unlink()
        out.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
