"""Time to alert: real speech, then synthetic speech, in one recording played as a live call.

For each trial a real LibriSpeech utterance of a test-split speaker (never seen in training) is
followed by a Griffin-Lim resynthesis of another test speaker's utterance (the vocoder trace a
voice-conversion attack leaves). The recording is played through the engine paced to real time
and the verdict events are timed. Prints, per trial and overall: seconds from the start of the
synthetic part to `elevated` and to `high` (media time and wall clock), the same from the first
synthetic word (the part may open with a pause, and the target counts from the speech), and
whether the level rose during the real part (a false alarm).

Usage: python benchmarks/bench_time_to_alert.py [--trials 3] [--fast] [--voice-elevated-at T]
(--fast: not paced; --voice-elevated-at: the voice detector's `elevated` moved to raw log-odds T,
its slope kept, as long_call_false_alarms.py --sweep does)
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

import librosa
import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models" / "voice"))  # the training code imports `voicetrain` as top level
sys.path.insert(0, str(Path(__file__).resolve().parent))
from voicetrain.corpus import speaker_splits  # noqa: E402
from alert_timing import print_summary, run_trial  # noqa: E402
from verification.composition import build_analyzer  # noqa: E402
from verification.fusion.calibration import CalibrationSet  # noqa: E402
from verification.fusion.thresholds import elevated_at  # noqa: E402
from verification.pipeline.runner import EngineConfig  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
RATE = 16_000


def test_speakers() -> dict[str, Path]:
    rows = list(csv.DictReader(open(DATA / "manifest.csv", newline="", encoding="utf-8")))
    libri = [r for r in rows if r["path"].startswith("speech/real/librispeech_resemblyzer/")]
    splits = speaker_splits(sorted({r["speaker_or_identity"] for r in libri}), seed=0)
    return {r["speaker_or_identity"]: DATA / r["path"] for r in libri if splits[r["speaker_or_identity"]] == "test"}


def griffin_lim(audio: np.ndarray) -> np.ndarray:
    mel = librosa.feature.melspectrogram(y=audio, sr=RATE, n_fft=1024, hop_length=256, n_mels=80)
    out = librosa.feature.inverse.mel_to_audio(mel, sr=RATE, n_fft=1024, hop_length=256, n_iter=32)
    return (out / max(1e-6, np.abs(out).max()) * 0.5 * np.abs(audio).max() / max(1e-6, np.abs(audio).max())).astype(np.float32)


def speech_onset(audio: np.ndarray) -> float:
    """Seconds to the first 20 ms frame within 20 dB of the loudest one: where the words begin."""
    frames = audio[: audio.size // 320 * 320].reshape(-1, 320)
    rms = np.sqrt(np.mean(frames ** 2, axis=1))
    return float(np.argmax(rms >= 0.1 * rms.max()) * 0.02)


def load(path: Path, seconds: float) -> np.ndarray:
    audio, _ = librosa.load(str(path), sr=RATE, mono=True)
    return audio[: int(seconds * RATE)].astype(np.float32)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--real-s", type=float, default=8.0)
    parser.add_argument("--fake-s", type=float, default=8.0)
    parser.add_argument("--fast", action="store_true", help="do not pace to real time")
    parser.add_argument("--voice-elevated-at", type=float, default=None,
                        help="move the voice detector's `elevated` to this raw log-odds (slope kept)")
    args = parser.parse_args()
    speakers = sorted(test_speakers().items())
    analyzer = build_analyzer(None, EngineConfig(), with_faces=False)
    if args.voice_elevated_at is not None:
        cal = analyzer.calibration
        moved = elevated_at(cal.for_detector("voice_synthetic"), args.voice_elevated_at)
        analyzer.calibration = CalibrationSet(cal.version, {**cal.by_detector, "voice_synthetic": moved})
    results = []
    with tempfile.TemporaryDirectory(prefix="callshield-tta-") as tmp:
        for k in range(args.trials):
            (real_spk, real_path), (fake_spk, fake_path) = speakers[2 * k % len(speakers)], speakers[(2 * k + 1) % len(speakers)]
            real = load(real_path, args.real_s)
            fake = griffin_lim(load(fake_path, args.fake_s))
            path = Path(tmp) / f"trial{k}.wav"
            soundfile.write(path, np.concatenate([real, fake]), RATE)
            result = run_trial(analyzer, path, len(real) / RATE, realtime=not args.fast)
            onset = speech_onset(fake)
            result["speech_onset_s"] = round(onset, 2)
            for name in ("elevated", "high"):
                t = result[f"to_{name}_media_s"]
                result[f"to_{name}_after_speech_s"] = None if t is None else round(t - onset, 2)
            results.append(result)
            print(f"trial {k}: real {real_spk} {len(real) / RATE:.1f} s + Griffin-Lim of {fake_spk}: {result}")
    print_summary(results, "the synthetic part began")
    for name in ("elevated", "high"):
        after = [r[f"to_{name}_after_speech_s"] for r in results if r[f"to_{name}_after_speech_s"] is not None]
        if after:
            print(f"to {name} after the first synthetic word: median {np.median(after):.2f} s, "
                  f"range {min(after):.2f}-{max(after):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
