"""Re-score the cached test set and rewrite MODEL_CARD.md (the `evaluate` stage alone).

    .venv/bin/python models/voice/evaluate.py --seed 0

Needs the cache left by `pipeline.py` with the same seed (features and held-out-family models).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main([*sys.argv[1:], "--stages", "evaluate"]))
