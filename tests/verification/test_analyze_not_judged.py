"""`callshield analyze` on real recordings with the shipped models: a damaged file says so and is
never `low`; a 3 s clip is not enough evidence for `low` either (callshield.report/1 kept)."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import av
import pytest

from tests.media import GRID_DIR
from verification.cli import main
from verification.detectors.catalog import DETECTOR_IDS
from verification.report.schema import validate_report

#: what an internal id looks like in text: a snake_case detector id, or one in brackets
INTERNAL = re.compile("|".join([d for d in DETECTOR_IDS if "_" in d] + [r"\[[a-z_]+\]"]))
CLIP = GRID_DIR / "bbaf2n.mpg"
pytestmark = pytest.mark.skipif(not CLIP.is_file(), reason="shared GRID clip missing")


def _as_faststart_mp4(src: Path, dst: Path) -> Path:
    """The real talking head re-encoded into an MP4 whose index comes first (as streamed MP4s are),
    so a cut file still opens and the damage shows only while decoding."""
    with av.open(str(src)) as inp, av.open(str(dst), "w", options={"movflags": "faststart"}) as out:
        vs = out.add_stream("mpeg4", rate=25)
        vs.width, vs.height, vs.pix_fmt = 360, 288, "yuv420p"
        rate = inp.streams.audio[0].codec_context.sample_rate
        as_ = out.add_stream("aac", rate=rate)
        as_.layout = "mono"
        for i, frame in enumerate(inp.decode(video=0)):
            image = av.VideoFrame.from_ndarray(frame.to_ndarray(format="rgb24"), format="rgb24")
            image.pts, image.time_base = i, Fraction(1, 25)
            for packet in vs.encode(image):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=rate)
        with av.open(str(src)) as again:
            for frame in again.decode(audio=0):
                frame.pts = None
                for chunk in resampler.resample(frame):
                    for packet in as_.encode(chunk):
                        out.mux(packet)
        for packet in as_.encode():
            out.mux(packet)
    return dst


def _analyze(path: Path, out: Path, capsys: pytest.CaptureFixture[str],
             html: Path | None = None) -> tuple[int, dict, list[str]]:
    code = main(["analyze", str(path), "--json", str(out), "--quiet", *(["--html", str(html)] if html else [])])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    return code, json.loads(out.read_text()), errors


def test_truncated_real_recording_is_not_judged_and_says_it_is_damaged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    whole = _as_faststart_mp4(CLIP, tmp_path / "whole.mp4")
    cut = tmp_path / "cut.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 5])
    code, report, errors = _analyze(cut, tmp_path / "cut.json", capsys, html=tmp_path / "cut.html")
    validate_report(report)
    page = (tmp_path / "cut.html").read_text()
    assert "NOT JUDGED" in page and "Damaged input" in page and "Not judged yet — do the full call-back" in page
    assert code == 2 and len(errors) == 1 and "cut.mp4" in errors[0] and "truncated or corrupt" in errors[0]
    verdict = report["verdict"]
    assert verdict["level"] == "unknown" and verdict["risk"] is None
    assert verdict["reasons"][0].startswith("The recording is damaged or cut short: truncated or corrupt")
    assert re.search(r"after \d+\.\d\d s of 3\.\d\d s", verdict["reasons"][0])
    assert verdict["advice"] == "Not judged yet — do the full call-back before paying."
    assert report["input"]["problems"] and "cut.mp4" in report["input"]["problems"][0]
    assert set(report["detectors"]) == set(DETECTOR_IDS)  # ids stay in the JSON keys...
    words = " ".join(verdict["reasons"])
    assert not INTERNAL.search(words)  # ...never in the words people read


def test_three_second_real_clip_is_never_low(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report, errors = _analyze(CLIP, tmp_path / "grid.json", capsys)
    validate_report(report)
    assert code == 0 and not errors and "problems" not in report["input"]
    verdict = report["verdict"]
    assert verdict["level"] != "low"  # 3 s of speech and face video is under the 4 s that `low` needs
    if verdict["level"] == "unknown":
        assert any("not judged yet — only" in r for r in verdict["reasons"]), verdict["reasons"]
