"""Heart-rate error of `callshield pulse --whole-frame` on the shared rPPG skin videos, and how its
settings were chosen.

    .venv/bin/python models/face/validate_pulse.py

1. Every video is decoded once (mean colours of a 4x4 grid of patches).
2. Settings (RppgOptions) are chosen on *semi-synthetic* records: each video's real colour traces,
   with their real motion, compression and lighting noise, plus an added pulse wave (with a first
   harmonic and a drifting rate) at a random 45-150 bpm. Those rates are unrelated to the data's
   66-85 bpm truths, so no setting can win by answering "about 75". The setting with the most
   readings within 5 bpm on the subjects of fold A wins; fold B's subjects are held out.
3. Real ground truth (mean HR per subject): MAE over all 45 videos, per ROI and on held-out
   fold B, beside always answering 75 bpm, and a permutation test: an estimator that reads
   pulses must be closer to its own subject's truth than to other subjects' truths.
Writes validation_pulse.json.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from verification.commands.pulse import ANALYSIS_FPS, pulse_from_traces, whole_frame_traces  # noqa: E402
from verification.detectors.rppg import RppgOptions, long_recording_hr  # noqa: E402
from verification.detectors.signal_tools import resample_uniform  # noqa: E402

DATA = HERE.parents[2] / "shared" / "data"
FS = ANALYSIS_FPS
PPG_RGB = np.array([0.33, 0.77, 0.53])  # relative pulsatile strength of skin in R, G, B
AMPLITUDES = (0.006, 0.01)  # of the added wave: about the weakest pulses a webcam shows
SEEDS = 2


def subject(rel: str) -> str:
    return Path(rel).stem.split("_")[0]


def folds(subjects: list[str]) -> tuple[set[str], set[str]]:
    """Alternate subjects in numeric order: fold A chooses, fold B is held out."""
    ordered = sorted(set(subjects), key=lambda s: int(s.removeprefix("video")))
    return set(ordered[0::2]), set(ordered[1::2])


def candidates() -> dict[str, RppgOptions]:
    """The previous method's style, then the principled alternatives compared."""
    out = {"pos tiles, raw-power harmonic sum (previous style)": RppgOptions(
        methods=("pos",), reject_jumps=False, whiten_hz=None, harmonic_weight=0.5, pool_regions=False)}
    for pool in (True, False):
        for reject in (True, False):
            for hw in (0.0, 0.5):
                for octave in ((False, True) if pool and reject else (False,)):
                    name = (f"{'pooled' if pool else 'tiles'}, {'jumps patched' if reject else 'no patching'}, "
                            f"harmonic {hw}{', octave check' if octave else ''}")
                    out[name] = RppgOptions(reject_jumps=reject, harmonic_weight=hw, pool_regions=pool,
                                            octave_check=octave)
    return out


def add_pulse(traces: np.ndarray, amp: float, seed: int) -> tuple[np.ndarray, float]:
    """A pulse wave with a first harmonic and a slowly drifting rate, multiplied into (T, R, 3)."""
    rng = np.random.default_rng(seed)
    t = np.arange(len(traces)) / FS
    f0 = rng.uniform(0.75, 2.5)
    drift = 0.05 * np.sin(2 * np.pi * t / rng.uniform(20, 60) + rng.uniform(0, 2 * np.pi))  # +-3 bpm
    phase = 2 * np.pi * np.cumsum(f0 + drift) / FS
    wave = np.sin(phase) + rng.uniform(0.2, 0.7) * np.sin(2 * phase + rng.uniform(0, 2 * np.pi))
    wave /= np.abs(wave).max()
    return traces * (1 + amp * wave[:, None, None] * PPG_RGB), 60.0 * float(np.mean(f0 + drift))


def summary(err: np.ndarray) -> dict[str, float]:
    """Errors of the readings given; a "cannot judge" (nan) counts in `answered`, not in the MAE."""
    ok = err[np.isfinite(err)]
    return {"mae_bpm": round(float(np.mean(ok)), 2), "median_abs_error_bpm": round(float(np.median(ok)), 2),
            "within_5_bpm": round(float(np.mean(ok <= 5)), 3), "answered": round(len(ok) / max(len(err), 1), 3)}


def permutation_p(hr: np.ndarray, gt: np.ndarray, subj: list[str], rounds: int = 5000) -> float:
    """Share of subject-shuffled truths the readings match at least as well as the real ones."""
    names = sorted(set(subj))
    truth = {s: gt[subj.index(s)] for s in names}
    observed = np.nanmean(np.abs(hr - gt))
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(rounds):
        mapping = dict(zip(names, rng.permutation([truth[s] for s in names])))
        hits += np.nanmean(np.abs(hr - np.array([mapping[s] for s in subj]))) <= observed
    return round((hits + 1) / (rounds + 1), 4)


def main() -> int:
    truth: dict[str, float] = {}
    with (DATA / "manifest.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["path"].startswith("video/rppg/") and "gt_mean_hr_bpm=" in row["label"]:
                truth[row["path"]] = float(row["label"].split("gt_mean_hr_bpm=")[1].split(";")[0])
    videos = sorted(truth)
    decoded = {rel: whole_frame_traces(DATA / rel, FS) for rel in videos}
    grids = {rel: resample_uniform(t, m, FS)[1] for rel, (t, m) in decoded.items()}
    subj = [subject(rel) for rel in videos]
    fold_a, fold_b = folds(subj)
    gts = np.array([truth[rel] for rel in videos])
    in_b = np.array([s in fold_b for s in subj])

    cases = [(rel, *add_pulse(grids[rel], amp, 1000 * k + i)) for i, rel in enumerate(videos)
             for k in range(SEEDS) for amp in AMPLITUDES]
    case_b = np.array([subject(rel) in fold_b for rel, _, _ in cases])
    table = []
    for name, opts in candidates().items():
        err = np.array([abs(long_recording_hr(tr, FS, opts).hr_bpm - hr) for _, tr, hr in cases])
        real = np.array([long_recording_hr(grids[rel], FS, opts).hr_bpm for rel in videos])
        table.append({"setting": name, "options": dataclasses.asdict(opts),
                      "semi_synthetic_fold_a": summary(err[~case_b]), "semi_synthetic_fold_b": summary(err[case_b]),
                      "real_mae_all_bpm": round(float(np.mean(np.abs(real - gts))), 2),
                      "real_permutation_p": permutation_p(real, gts, subj, 2000)})
        print(f"{name}: A {table[-1]['semi_synthetic_fold_a']}  real {table[-1]['real_mae_all_bpm']}", flush=True)
    # Most readings within 5 bpm on fold A, then lower MAE; a full tie keeps the simpler (earlier) one.
    chosen = max(table, key=lambda r: (r["semi_synthetic_fold_a"]["within_5_bpm"],
                                       -r["semi_synthetic_fold_a"]["mae_bpm"]))
    opts = RppgOptions(**{k: tuple(v) if isinstance(v, list) else v for k, v in chosen["options"].items()})

    rows = []
    for rel, (t, m) in decoded.items():
        cli = pulse_from_traces(t, m, FS, opts)  # what `callshield pulse --whole-frame` prints
        forced = long_recording_hr(grids[rel], FS, opts)  # its estimate even where it declines to answer
        rows.append({"video": rel, "gt_bpm": truth[rel], "hr_bpm": round(forced.hr_bpm, 1),
                     "snr_db": round(forced.snr_db, 2), "confidence": round(forced.confidence, 3),
                     "steady_fraction": round(forced.steady_fraction, 3), "cli_status": cli["status"],
                     "abs_error": round(abs(forced.hr_bpm - truth[rel]), 2)})
    hr = np.array([r["hr_bpm"] for r in rows])
    err = np.abs(hr - gts)
    confident = np.array([r["confidence"] >= 0.5 for r in rows])
    report = {
        "videos": len(rows),
        "chosen_setting": chosen["setting"], "chosen_options": chosen["options"],
        "chosen_is_default": opts == RppgOptions(),
        "fold_a_subjects": sorted(fold_a), "fold_b_held_out_subjects": sorted(fold_b),
        "semi_synthetic": {"amplitudes": list(AMPLITUDES), "rates_bpm": [45, 150],
                           "held_out_fold_b": chosen["semi_synthetic_fold_b"]},
        **summary(err),
        "mae_by_roi": {roi: round(float(np.nanmean([e for e, r in zip(err, rows) if roi in r["video"]])), 2)
                       for roi in ("forehead", "leftcheek", "rightcheek")},
        "held_out_fold_b": {**summary(err[in_b]),
                            "constant_75_bpm_mae": round(float(np.mean(np.abs(gts[in_b] - 75.0))), 2)},
        "constant_75_bpm_mae": round(float(np.mean(np.abs(gts - 75.0))), 2),
        "permutation_p": permutation_p(hr, gts, subj),
        "cli_answers": int(sum(r["cli_status"] == "ok" for r in rows)),
        "confident_readings": {"count": int(confident.sum()),
                               "mae_bpm": round(float(err[confident].mean()), 2) if confident.any() else None},
        "mean_snr_db": round(float(np.nanmean([r["snr_db"] for r in rows if r["snr_db"] is not None])), 2),
        "mean_confidence": round(float(np.mean([r["confidence"] for r in rows])), 3),
        "settings_compared": table, "per_video": rows,
    }
    (HERE / "validation_pulse.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k not in ("per_video", "settings_compared")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
