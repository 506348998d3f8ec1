"""Reliability in one command: the media fuzz run, a short soak of the live engine, then the fault
and property tests.

Usage: python benchmarks/reliability.py [--mutations 200] [--soak-minutes 3] [--faces] [--no-faults]

Prints the fuzz figures (cases tried, reports, refusals, failures, hangs, peak RSS of one
analysis process) and the soak figures (realtime factor, RSS growth after warm-up, threads and
descriptors left after stop, queue depths), then the fault tests (a live source lost, retried and
back, model swapped while running, SIGKILL and server crash mid-transition, disk full at the audit
record on SQLite and PostgreSQL) and the property tests, with their pass count and time. Exit status 1 when a file failed or
hung, the soak left a thread or descriptor behind, or a fault or property test failed. The long
runs are `fuzz_media.py` and `soak.py`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from fuzz_media import run_fuzz
from soak import run_soak


FAULT_TESTS = ("test_faults_source.py", "test_faults_kill.py", "test_faults_storage.py",
               "test_models_changed_while_running.py", "test_properties_inputs.py", "test_properties_packs.py",
               "test_properties_directory.py")


def run_fault_tests() -> tuple[bool, str]:
    """The fault and property tests in a child pytest: (all passed, its summary line with the time)."""
    root = Path(__file__).resolve().parent.parent
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *(f"tests/verification/{name}" for name in FAULT_TESTS)],
                          cwd=root, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    summary = lines[-1].strip("= ") if lines else (done.stderr.strip().splitlines() or ["no output"])[-1]
    return done.returncode == 0, f"{summary} (wall {time.monotonic() - started:.0f} s)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--soak-minutes", type=float, default=3.0)
    parser.add_argument("--faces", action="store_true", help="face tracking in the fuzz run too (slower)")
    parser.add_argument("--no-faults", action="store_true", help="skip the fault and property tests")
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

    faults_ok = True
    if not args.no_faults:
        print(f"faults: {len(FAULT_TESTS)} files of fault and property tests (both databases where one is involved)")
        faults_ok, line = run_fault_tests()
        print(f"  {line}")

    leaked = any(v > 0 for v in soak.leaks().values())
    return 1 if fuzz.failures or fuzz.hangs or leaked or not faults_ok else 0


if __name__ == "__main__":
    sys.exit(main())
