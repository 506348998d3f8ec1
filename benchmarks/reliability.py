"""Reliability in one command: the media fuzz run, then a short soak of the live engine.

Usage: python benchmarks/reliability.py [--mutations 200] [--soak-minutes 3] [--faces]

Prints the fuzz figures (cases tried, reports, refusals, failures, hangs, peak RSS of one
analysis process) and the soak figures (realtime factor, RSS growth after warm-up, threads and
descriptors left after stop, queue depths). Exit status 1 when a file failed or hung, or when
the soak left a thread or descriptor behind. The long runs are `fuzz_media.py` and `soak.py`.
"""

from __future__ import annotations

import argparse
import sys

from fuzz_media import run_fuzz
from soak import run_soak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--soak-minutes", type=float, default=3.0)
    parser.add_argument("--faces", action="store_true", help="face tracking in the fuzz run too (slower)")
    args = parser.parse_args()

    print(f"fuzz: odd-media catalogue + {args.mutations} seeded mutations (seed {args.seed})")
    fuzz = run_fuzz(args.mutations, args.seed, faces=args.faces, log=lambda line: None)
    for line in fuzz.failures:
        print(f"  FAIL {line}")
    for name in fuzz.hangs:
        print(f"  HANG {name}")
    print(fuzz.summary())

    print(f"soak: {args.soak_minutes:g} min of call through the live engine, faces and speech")
    soak = run_soak(args.soak_minutes * 60, every_s=5.0, log=lambda line: None)
    print(soak.summary())

    leaked = any(v > 0 for v in soak.leaks().values())
    return 1 if fuzz.failures or fuzz.hangs or leaked else 0


if __name__ == "__main__":
    sys.exit(main())
