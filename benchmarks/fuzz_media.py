"""Media fuzzing of `callshield analyze`: the odd-media catalogue plus seeded mutations of real files.

Usage: python benchmarks/fuzz_media.py [--mutations 400] [--seed 0] [--batch 20] [--faces] [--keep DIR]

Every file must end in a report or in one line naming it (exit status 0 or 2), with no traceback,
within `--file-timeout` seconds. Files run in batches through one `callshield analyze` child process
(models load once per batch); a batch that crashes or overruns is re-run file by file to name the
culprit. Prints cases tried, reports, clean refusals, failures (crash, traceback, wrong output),
hangs and the largest peak RSS of one child. Not a test: the test suite runs a short fixed set
(`tests/verification/test_hostile_media.py`).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.child_process import run_child  # noqa: E402
from tests.hostile_media import hostile_cases, mutated_files, seed_files  # noqa: E402

FILE_TIMEOUT_S = 60.0


@dataclass
class FuzzResult:
    tried: int = 0
    reports: int = 0
    refused: int = 0  # one clean error line
    failures: list[str] = field(default_factory=list)  # "file: what went wrong"
    hangs: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    wall_s: float = 0.0
    slowest_s: float = 0.0  # slowest batch per file

    def summary(self) -> str:
        return (f"cases tried {self.tried}: {self.reports} reports, {self.refused} refused with one line, "
                f"{len(self.failures)} failures, {len(self.hangs)} hangs; peak RSS {self.peak_rss_mb:.0f} MB; "
                f"{self.wall_s:.0f} s wall ({self.wall_s / max(1, self.tried):.2f} s a file)")


@dataclass
class _Run:
    code: int | None  # None: killed after the timeout
    stderr: str
    reports: dict[str, dict]
    peak_rss_mb: float
    wall_s: float


def _run_batch(paths: list[Path], out: Path, timeout_s: float, faces: bool) -> _Run:
    command = [sys.executable, "-m", "verification.cli", "analyze", *map(str, paths), "--jsonl", str(out),
               "--quiet", *([] if faces else ["--no-faces"])]
    out.unlink(missing_ok=True)
    child = run_child(command, timeout_s, out.with_suffix(".err"))
    reports = {}
    if out.exists():
        for line in out.read_text().splitlines():
            report = json.loads(line)
            reports[report["input"]["path"]] = report
    return _Run(child.code, child.stderr, reports, child.peak_rss_mb, child.wall_s)


def _judge(paths: list[Path], run: _Run) -> tuple[int, int, list[str]]:
    """(reports, clean refusals, failures) of a batch that finished."""
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    failures = []
    if run.code not in (0, 2):
        failures.append(f"batch: exit status {run.code}")
    if "Traceback" in run.stderr:
        failures.append("batch: traceback")
    stray = [line for line in lines if not line.startswith("callshield: ")]
    if stray:
        failures.append(f"batch: stray output {stray[0][:120]!r}")
    reports = refused = 0
    for path in paths:
        errors = [line for line in lines if f"{path}:" in line and line.startswith("callshield: error: ")]
        got = str(path) in run.reports
        if any("unexpected error" in line for line in errors):  # the command's safety net: a bug
            failures.append(f"{path.name}: {errors[0][:200]}")
        elif got and not errors:
            reports += 1
        elif errors and not got and len(errors) == 1:
            refused += 1
        else:
            failures.append(f"{path.name}: {len(errors)} error lines, report {'yes' if got else 'no'}")
    return reports, refused, failures


def run_fuzz(mutations: int, seed: int = 0, batch: int = 20, faces: bool = False, long: bool = True,
             keep: Path | None = None, file_timeout_s: float = FILE_TIMEOUT_S,
             log=print) -> FuzzResult:
    result = FuzzResult()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="callshield-fuzz-") as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        files = [write(folder) for write in hostile_cases(long=long).values()]
        seeds = seed_files(folder / "seeds")
        files += list(mutated_files(folder, range(seed, seed + mutations), seeds))
        out = folder / "batch.jsonl"
        for start in range(0, len(files), batch):
            group = files[start:start + batch]
            run = _run_batch(group, out, file_timeout_s * len(group), faces)
            result.peak_rss_mb = max(result.peak_rss_mb, run.peak_rss_mb)
            reports, refused, failures = _judge(group, run) if run.code is not None else (0, 0, ["timeout"])
            if failures:  # find the culprit: one file at a time
                reports = refused = 0
                failures = []
                for path in group:
                    single = _run_batch([path], out, file_timeout_s, faces)
                    result.peak_rss_mb = max(result.peak_rss_mb, single.peak_rss_mb)
                    if single.code is None:
                        result.hangs.append(path.name)
                        continue
                    r, f, fails = _judge([path], single)
                    reports, refused = reports + r, refused + f
                    failures += [f"{path.name}: {x}" if not x.startswith(path.name) else x for x in fails]
            result.tried += len(group)
            result.reports += reports
            result.refused += refused
            result.failures += failures
            result.slowest_s = max(result.slowest_s, run.wall_s / len(group))
            log(f"  {result.tried}/{len(files)} files: {result.reports} reports, {result.refused} refused, "
                f"{len(result.failures)} failures, {len(result.hangs)} hangs, peak RSS {result.peak_rss_mb:.0f} MB")
    result.wall_s = time.monotonic() - started
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutations", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--faces", action="store_true", help="with face tracking (slower)")
    parser.add_argument("--short", action="store_true", help="the test-suite catalogue, without the big cases")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--file-timeout", type=float, default=FILE_TIMEOUT_S)
    args = parser.parse_args()
    result = run_fuzz(args.mutations, args.seed, args.batch, args.faces, not args.short, args.keep,
                      args.file_timeout)
    for line in result.failures:
        print(f"FAIL {line}")
    for name in result.hangs:
        print(f"HANG {name}")
    print(result.summary())
    return 1 if result.failures or result.hangs else 0


if __name__ == "__main__":
    sys.exit(main())
