"""Real recordings as a call would carry them: every real speech file of the shared data through one
call codec, written to a work folder with a labels CSV, for measuring false alarms after the codec.

Usage: python benchmarks/real_footage_coded.py OUT_DIR [--condition opus16|noise10|nb8k|...]
then:  callshield eval verdict --data OUT_DIR --labels OUT_DIR/labels.csv
The codecs are the training pipeline's own (models/voice/voicetrain/channel.py). FSDD is left out
(its clips are too short to judge), as in real_footage_labels.py --no-fsdd.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models" / "voice"))
from voicetrain.audio_io import RATE, load_16k  # noqa: E402
from voicetrain.channel import CONDITIONS, apply_condition  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def write_wav(path: Path, samples: np.ndarray) -> None:
    import av

    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)[None]
    with av.open(str(path), "w", format="wav") as container:
        stream = container.add_stream("pcm_s16le", rate=RATE, layout="mono")
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = RATE
        container.mux(stream.encode(frame))
        container.mux(stream.encode())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--condition", default="opus16", choices=[c for c in CONDITIONS if c != "clean"])
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = [r for r in csv.DictReader(open(DATA / "manifest.csv", newline="", encoding="utf-8"))
            if r["kind"] == "speech" and r["label"].startswith("bonafide") and "/fsdd/" not in r["path"]]
    rng = np.random.default_rng(0)
    with open(args.out / "labels.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "label", "source", "speaker"])
        for k, row in enumerate(rows):
            name = f"{k:04d}_{Path(row['path']).stem}.wav"
            # apply_condition also sets a call-like level (-6 dB peak) before the codec
            write_wav(args.out / name, apply_condition(load_16k(DATA / row["path"]), args.condition, rng))
            writer.writerow([name, "bonafide", row["path"].split("/")[2], row["speaker_or_identity"]])
            print(f"\r{k + 1}/{len(rows)} through {args.condition}", end="", file=sys.stderr, flush=True)
    print(f"\n{len(rows)} real recordings through {args.condition} -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
