"""Copy every manifest model into the build's staging folder, checking each file's sha256 first.

Third-party weights come from the fetched model directory (`callshield models path`), the
project's own from models/; the manifest, calibration and notices travel with them, so the frozen
app's model folder is self-describing and is verified again at every start.

    python packaging/stage_models.py OUT_DIR [--from DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verification.errors import CallShieldError  # noqa: E402
from verification.inference.manifest import ProjectSource, load_manifest  # noqa: E402
from verification.inference.model_dir import resolve_model_dir  # noqa: E402
from verification.inference.verify import read_verified  # noqa: E402

#: beside the weights: what they are, how scores are calibrated, whose they are
NOTICES = ("manifest.toml", "calibration.toml", "THIRD_PARTY.md")
CARDS = {"voice/MODEL_CARD.md": "voice_synthetic.MODEL_CARD.md", "face/MODEL_CARD.md": "face_synthetic.MODEL_CARD.md"}


def stage(out_dir: Path, fetched_dir: Path, models_dir: Path = ROOT / "models") -> list[str]:
    """Write the verified models and notices to `out_dir` (emptied first); returns the model files."""
    manifest = load_manifest(models_dir / "manifest.toml")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    staged = []
    for entry in manifest.models:
        source = entry.source
        path = models_dir / source.path if isinstance(source, ProjectSource) else fetched_dir / entry.file
        data = read_verified(entry, path)  # size and sha256 against the manifest, or ModelError
        (out_dir / entry.file).write_bytes(data)
        staged.append(entry.file)
    for name in NOTICES:
        shutil.copy2(models_dir / name, out_dir / name)
    for card, name in CARDS.items():
        shutil.copy2(models_dir / card, out_dir / name)
    return staged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stage_models", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--from", dest="fetched", default=None, metavar="DIR",
                        help="fetched third-party models (default: --model-dir rules of `callshield`)")
    args = parser.parse_args(argv)
    try:
        files = stage(args.out_dir, resolve_model_dir(args.fetched, os.environ))
    except (CallShieldError, OSError) as exc:
        print(f"stage_models: error: {exc}", file=sys.stderr)
        return 2
    print(f"stage_models: {len(files)} models verified and staged in {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
