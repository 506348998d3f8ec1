"""Precision and recall of the scam-cue spotter (verification/speech/cues.py), per cue kind.

Three measurements on the labelled set in models/speech/cues_eval (see its README):
  text       the spotter on the written sentences (no recogniser)
  synthetic  each sentence spoken by espeak-ng voices, heard by Whisper tiny.en, then spotted
  real       real read speech from the shared data (labels in real_labels.csv), heard and spotted
The last two use the fetched model; `synthetic` needs espeak-ng.

    PYTHONPATH=. .venv/bin/python scripts/eval_speech_cues.py [--parts text,synthetic,real]
        [--write-transcripts]   (rewrite real_labels.csv's transcript column; labels kept)
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from verification.inference.manifest import load_manifest
from verification.inference.model_dir import resolve_model_dir
from verification.speech.call_cues import read_call_audio
from verification.speech.cues import CUE_KINDS, kinds_in
from verification.speech.whisper import Recogniser

EVAL = Path(__file__).resolve().parents[1] / "models" / "speech" / "cues_eval"
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
VOICES = ("en-us+f3", "en-gb", "en-gb-scotland+m3")


def labels(cell: str) -> set[str]:
    return {k for k in cell.split(";") if k}


def score(pairs: list[tuple[set[str], set[str]]]) -> dict[str, tuple[int, int, int]]:
    """kind -> (true positives, false positives, false negatives); '' is all kinds together."""
    out: dict[str, tuple[int, int, int]] = {}
    for kind in (*CUE_KINDS, ""):
        tp = fp = fn = 0
        for want, got in pairs:
            w = want if not kind else want & {kind}
            g = got if not kind else got & {kind}
            tp, fp, fn = tp + len(w & g), fp + len(g - w), fn + len(w - g)
        out[kind] = (tp, fp, fn)
    return out


def table(name: str, pairs: list[tuple[set[str], set[str]]]) -> None:
    print(f"\n{name}: {len(pairs)} items")
    print(f"  {'kind':15s} {'labels':>6s} {'found':>6s} {'false':>6s} {'precision':>9s} {'recall':>7s}")
    for kind, (tp, fp, fn) in score(pairs).items():
        p = f"{tp / (tp + fp):.2f}" if tp + fp else "n/a"
        r = f"{tp / (tp + fn):.2f}" if tp + fn else "n/a"
        print(f"  {kind or 'all':15s} {tp + fn:6d} {tp + fp:6d} {fp:6d} {p:>9s} {r:>7s}")


def speak(text: str, voice: str, tmp: Path) -> np.ndarray:
    wav = tmp / "say.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(wav), text], check=True,
                   capture_output=True)
    audio, rate = sf.read(wav, dtype="float32")
    return resample_poly(audio, 16000, rate).astype(np.float32)


def heard(recogniser: Recogniser, audio: np.ndarray) -> str:
    return " ".join(s.text for s in recogniser.transcribe(audio))


def main() -> int:
    ap = argparse.ArgumentParser(description="precision and recall of the scam-cue spotter")
    ap.add_argument("--parts", default="text,synthetic,real")
    ap.add_argument("--write-transcripts", action="store_true")
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    sentences = list(csv.DictReader((EVAL / "sentences.csv").open(encoding="utf-8")))
    if "text" in parts:
        table("text (written sentences, no recogniser)",
              [(labels(r["labels"]), set(kinds_in(r["text"]))) for r in sentences])
    if not parts & {"synthetic", "real"}:
        return 0
    recogniser = Recogniser(load_manifest(), resolve_model_dir(None, os.environ))
    if "synthetic" in parts:
        if shutil.which("espeak-ng") is None:
            print("espeak-ng is not installed: synthetic part skipped (scripts/setup.sh installs it)", file=sys.stderr)
        else:
            pairs = []
            with tempfile.TemporaryDirectory() as tmp:
                for voice in VOICES:
                    for r in sentences:
                        text = heard(recogniser, speak(r["text"], voice, Path(tmp)))
                        got = set(kinds_in(text))
                        pairs.append((labels(r["labels"]), got))
                        if args.show_misses and got != labels(r["labels"]):
                            print(f"  {voice} {r['id']}: {text!r} -> {sorted(got)}")
            table(f"synthetic (espeak-ng {', '.join(VOICES)} -> Whisper tiny.en)", pairs)
    if "real" in parts:
        path = EVAL / "real_labels.csv"
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        pairs = []
        for r in rows:
            text = heard(recogniser, read_call_audio(DATA / r["path"]))
            r["transcript"] = text
            pairs.append((labels(r["labels"]), set(kinds_in(text))))
            if args.show_misses and pairs[-1][0] != pairs[-1][1]:
                print(f"  {r['path']}: {text!r} -> {sorted(pairs[-1][1])}")
        table("real read speech (shared data -> Whisper tiny.en)", pairs)
        if args.write_transcripts:
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=["path", "labels", "transcript"])
                writer.writeheader()
                writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
