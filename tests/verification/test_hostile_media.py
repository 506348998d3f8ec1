"""Hostile and odd media through `callshield analyze`: every file ends in a report or one line naming it.

The command runs in a child process so a crash (segfault), a hang or a memory blow-up in the
decoder shows up as what it is instead of taking the test run down. Bounds here are safety limits
against hangs and blow-ups, not measurements (`benchmarks/fuzz_media.py` measures).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.child_process import ChildRun, run_child
from tests.hostile_media import hostile_cases, mutated_files, seed_files, tone, write_video, write_wav
from verification.errors import InputError
from verification.report.schema import validate_report
from verification.sources.file_source import FileAudioSource, FileVideoSource
from verification.sources.media_limits import MediaLimits
from verification.sources.media_probe import probe_media

TIME_LIMIT_S = 240  # the whole batch, on a loaded 2-core machine; about 15 s when idle
RSS_LIMIT_MB = 2048
#: seeds of the mutation fuzzer: the first few, and ones that once broke it (106, 127: a codec id
#: mutated into one FFmpeg has no decoder for gave a traceback)
MUTATION_SEEDS = [*range(24), 106, 127]

#: case -> words its one-line error must hold (absent: it must give a report)
EXPECTED_ERRORS = {
    "zero_length": "empty",
    "random_bytes": "not a readable",
    "truncated": "cut short",
    "frame_size_bomb": "picture size 16000x16000",
    "frame_rate_bomb": "frames per second",
    "hundreds_of_streams": "300 streams",
}


def run_analyze(paths: list[Path], out: Path, timeout_s: float) -> ChildRun:
    """`callshield analyze PATHS --jsonl OUT` in a child process."""
    command = [sys.executable, "-m", "verification.cli", "analyze", *map(str, paths), "--jsonl", str(out),
               "--quiet"]
    run = run_child(command, timeout_s, out.with_suffix(".err"))
    if run.code is None:
        pytest.fail(f"callshield analyze did not finish within {timeout_s} s")
    return run


def test_every_hostile_or_mutated_file_ends_in_a_report_or_one_line(tmp_path: Path) -> None:
    cases = {name: write(tmp_path) for name, write in hostile_cases().items()}
    mutated = list(mutated_files(tmp_path, MUTATION_SEEDS, seed_files(tmp_path / "seeds")))
    paths = [*cases.values(), *mutated]
    out = tmp_path / "reports.jsonl"
    run = run_analyze(paths, out, TIME_LIMIT_S)
    err = run.stderr

    assert run.code in (0, 2), f"exit status {run.code} (crash?): {err[-2000:]}"
    assert "Traceback" not in err, err[-3000:]
    assert run.peak_rss_mb < RSS_LIMIT_MB
    lines = [line for line in err.splitlines() if line.strip()]
    assert all(line.startswith("callshield: error: ") for line in lines), lines
    assert not [line for line in lines if "unexpected error" in line]  # the safety net hides a bug
    reports = {r["input"]["path"]: r for r in map(json.loads, out.read_text().splitlines())}
    for path in paths:
        errors = [line for line in lines if f"{path}:" in line]
        assert len(errors) <= 1 and (errors or str(path) in reports), (path, errors)
        if errors and str(path) in reports:  # broke off part-way: a report that says so, and one line
            assert reports[str(path)]["input"].get("problems"), path
    for report in reports.values():
        validate_report(report)
    for name, words in EXPECTED_ERRORS.items():
        [line] = [line for line in lines if f"{cases[name]}:" in line]
        assert words in line, line
    for name in set(cases) - set(EXPECTED_ERRORS):
        assert str(cases[name]) in reports, f"{name} gave no report"
    assert reports[str(cases["channels_8"])]["input"]["audio"] == {"sample_rate": 48000, "channels": 8}
    assert reports[str(cases["rate_96k"])]["input"]["audio"]["sample_rate"] == 96000
    assert reports[str(cases["uhd_4k"])]["input"]["video"]["width"] == 1280  # decoded downscaled
    assert reports[str(cases["vfr"])]["timing"]["frames_in"] == 12
    assert reports[str(cases["raw_h264_untimed"])]["timing"]["frames_in"] == 60  # no timestamps is no bomb


def test_rotated_video_is_delivered_upright(tmp_path: Path) -> None:
    plain = write_video(tmp_path / "plain.mp4", 3, (96, 64))
    turned = write_video(tmp_path / "turned.mp4", 3, (96, 64), rotate=-90)
    frames = {}
    for path in (plain, turned):
        source = FileVideoSource(path)
        source.open()
        frames[path.name] = source.read().image  # type: ignore[union-attr]
        source.close()
    assert frames["plain.mp4"].shape == (64, 96, 3)
    assert frames["turned.mp4"].shape == (96, 64, 3)
    # clockwise quarter turn: the top-left of the upright frame was the bottom-left of the coded one
    assert np.abs(frames["turned.mp4"].astype(int) - np.rot90(frames["plain.mp4"], k=-1)).mean() < 3


def test_limits_stop_decoding_with_a_reason(tmp_path: Path) -> None:
    clip = write_video(tmp_path / "clip.mkv", 50, (96, 64), fmt="matroska")
    with pytest.raises(InputError, match=r"clip\.mkv: picture size 96x64 is over the limit"):
        probe_media(clip, MediaLimits(max_pixels=96 * 63))
    with pytest.raises(InputError, match=r"clip\.mkv: declares 2 s of media, over the limit of 1 s"):
        probe_media(clip, MediaLimits(max_duration_s=1.0))
    # what the header does not say is checked on the decoded frames
    source = FileVideoSource(clip, limits=MediaLimits(max_fps=10, fps_grace_frames=5))
    source.open()
    with pytest.raises(InputError, match="over the limit of 10 frames per second"):
        while source.read() is not None:
            pass
    source.close()
    # frames without timestamps (raw streams) count at the nominal rate: 60 frames at 25 fps
    raw = write_video(tmp_path / "raw.h264", 60, (96, 64), codec="libx264", fmt="h264")
    untimed = FileVideoSource(raw, limits=MediaLimits(max_duration_s=2.0))
    untimed.open()
    with pytest.raises(InputError, match=r"raw\.h264: reaches 2 s of media, over the limit of 2 s"):
        while untimed.read() is not None:
            pass
    untimed.close()
    wav = tmp_path / "long.wav"
    write_wav(wav, tone(3.0, 8000), 8000)
    audio = FileAudioSource(wav, limits=MediaLimits(max_duration_s=2.0))
    with pytest.raises(InputError, match=r"long\.wav: declares 3 s of media"):
        audio.open()
        while audio.read() is not None:
            pass
    audio.close()
