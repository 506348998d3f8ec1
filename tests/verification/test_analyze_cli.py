"""`callshield analyze`: report contract on real media, and bad input handled per file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.media import GRID_DIR, write_clip
from verification.audit.keys import load_installation_key
from verification.cli import main
from verification.detectors.catalog import DETECTOR_IDS
from verification.report.schema import validate_report
from verification.report.signature import report_sha256, signature_problem


def _reports(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("clips")
    return {"av": write_clip(d / "call.mp4", seconds=2.0),
            "audio": write_clip(d / "voice.wav", seconds=1.5, video=False, acodec="pcm_s16le", sample_rate=8000),
            "video": write_clip(d / "silent.mkv", seconds=1.0, audio=False)}


def test_reports_follow_contract_for_audio_video_and_both(clips: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    html = tmp_path / "r.html"
    paths = [str(clips[k]) for k in ("av", "audio", "video")]
    assert main(["analyze", *paths, "--jsonl", str(out), "--html", str(html), "--no-faces", "--quiet"]) == 0
    reports = _reports(out)
    assert [r["input"]["path"] for r in reports] == paths  # input order kept
    for report in reports:
        validate_report(report)
        assert set(report["detectors"]) == set(DETECTOR_IDS)
        # a pulsing tone is not speech and the gradient has no face: honest "unknown", never a made-up score
        assert report["verdict"]["level"] == "unknown" and report["verdict"]["risk"] is None
        assert report["timing"]["wall_s"] > 0
    av_report, audio_report, video_report = reports
    assert av_report["input"]["video"] == {"width": 160, "height": 120, "fps": 25.0}
    assert av_report["input"]["audio"] == {"sample_rate": 48000, "channels": 2}
    assert av_report["input"]["duration_s"] == pytest.approx(2.0, abs=0.1)
    assert av_report["timing"]["frames_in"] == 50
    assert av_report["timing"]["frames_dropped"] == 0  # recordings are analysed losslessly
    assert av_report["timing"]["audio_windows"] in (1, 2)  # 2 s windows; AAC padding may add a tail
    assert audio_report["input"]["video"] is None and audio_report["input"]["audio"]["sample_rate"] == 8000
    assert video_report["input"]["audio"] is None
    page = html.read_text()
    assert page.count("<section>") == 3 and "NOT JUDGED" in page and "Not judged yet — do the full call-back before paying." in page


def test_json_output_is_one_object_for_one_input(clips: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "one.json"
    assert main(["analyze", str(clips["audio"]), "--json", str(out), "--quiet", "--data-dir",
                 str(tmp_path / "none")]) == 0
    assert not (tmp_path / "one.json.sig").exists() and not (tmp_path / "none").exists()  # creates nothing
    (tmp_path / "data").mkdir(mode=0o700)
    key = load_installation_key(tmp_path / "data")  # this machine's installation key
    assert main(["analyze", str(clips["audio"]), "--json", str(out), "--quiet", "--data-dir",
                 str(tmp_path / "data")]) == 0
    report = json.loads(out.read_text())
    validate_report(report)  # the public schema is unchanged: the signature lives beside it
    signature = json.loads((tmp_path / "one.json.sig").read_text())
    assert signature_problem(signature, report_sha256(report), report["verdict"], {key.key_id: key.public_b64}) is None


@pytest.mark.parametrize("kind", ["empty", "text", "truncated", "missing"])
def test_bad_input_one_line_error_exit_2_and_others_still_analysed(
        kind: str, clips: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / f"bad_{kind}.mp4"
    if kind == "empty":
        bad.write_bytes(b"")
    elif kind == "text":
        bad.write_text("these are meeting notes, not a video\n" * 20)
    elif kind == "truncated":
        data = clips["av"].read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    out = tmp_path / "r.jsonl"
    code = main(["analyze", str(bad), str(clips["av"]), "--jsonl", str(out), "--no-faces", "--quiet"])
    assert code == 2
    err_lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err_lines) == 1, err_lines
    assert bad.name in err_lines[0] and "Traceback" not in err_lines[0]
    reports = _reports(out)
    assert [r["input"]["path"] for r in reports] == [str(clips["av"])]


@pytest.mark.skipif(not GRID_DIR.is_dir(), reason="shared GRID clips not present")
def test_grid_clips_real_metadata(tmp_path: Path) -> None:
    clips = sorted(GRID_DIR.glob("*.mpg"))[:3]
    out = tmp_path / "grid.jsonl"
    assert main(["analyze", *map(str, clips), "--jsonl", str(out), "--quiet"]) == 0
    for report in _reports(out):
        validate_report(report)
        assert report["input"]["video"] == {"width": 360, "height": 288, "fps": 25.0}
        assert report["input"]["audio"]["sample_rate"] == 44100
        assert report["input"]["duration_s"] == pytest.approx(3.0, abs=0.1)
        assert report["timing"]["realtime_factor"] > 1.0
