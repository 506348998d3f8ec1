"""probe_media on real files written with PyAV, and the one-line errors for unreadable input."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from tests.media import GRID_DIR, write_clip
from verification.errors import InputError
from verification.sources import AudioInfo, VideoInfo, probe_media


def _wav(path: Path, rate: int, channels: int = 1, samples: int = 1600) -> Path:
    """A canonical 16-bit PCM WAV whose header says whatever we ask (bad rates included)."""
    data = b"\x00\x00" * samples * max(channels, 1)
    block = channels * 2
    header = (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
              + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, 16)
              + b"data" + struct.pack("<I", len(data)))
    path.write_bytes(header + data)
    return path


def _assert_one_line(err: pytest.ExceptionInfo[InputError], path: Path, *phrases: str) -> None:
    message = str(err.value)
    assert "\n" not in message and "\r" not in message
    assert path.name in message
    for phrase in phrases:
        assert phrase in message, message


def test_probe_reports_both_streams(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "call.mp4", seconds=2.0, fps=25, size=(160, 120))
    info = probe_media(clip)
    assert info.path == clip
    assert "mp4" in info.container_format
    assert info.duration_s == pytest.approx(2.0, abs=0.05)
    assert info.video == VideoInfo(width=160, height=120, fps=25.0)
    assert info.audio == AudioInfo(sample_rate=48_000, channels=2)
    assert (info.video_codec, info.audio_codec) == ("mpeg4", "aac")


def test_probe_audio_only_and_video_only(tmp_path: Path) -> None:
    wav = write_clip(tmp_path / "voice.wav", video=False, acodec="pcm_s16le", sample_rate=22_050)
    info = probe_media(wav)
    assert info.video is None and info.audio == AudioInfo(sample_rate=22_050, channels=1)
    silent = write_clip(tmp_path / "silent.mp4", audio=False)
    info = probe_media(silent)
    assert info.audio is None and info.video is not None


@pytest.mark.skipif(not GRID_DIR.is_dir(), reason="shared GRID clips not present")
def test_probe_grid_clip() -> None:
    clip = sorted(GRID_DIR.glob("*.mpg"))[0]
    info = probe_media(clip)
    assert info.container_format == "mpeg"
    assert info.video == VideoInfo(width=360, height=288, fps=25.0)
    assert info.audio == AudioInfo(sample_rate=44_100, channels=2)
    assert (info.video_codec, info.audio_codec) == ("mpeg1video", "mp2")
    assert info.duration_s == pytest.approx(2.98, abs=0.05)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.mp4"
    with pytest.raises(InputError) as err:
        probe_media(path)
    _assert_one_line(err, path, "not found")


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.touch()
    with pytest.raises(InputError) as err:
        probe_media(path)
    _assert_one_line(err, path, "empty")


def test_folder_is_not_media(tmp_path: Path) -> None:
    folder = tmp_path / "clips.mp4"
    folder.mkdir()
    with pytest.raises(InputError) as err:
        probe_media(folder)
    _assert_one_line(err, folder, "folder")


def test_text_renamed_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("minutes of the meeting\nnothing to see here\n")
    with pytest.raises(InputError) as err:
        probe_media(path)
    _assert_one_line(err, path, "not a readable audio or video file")


def test_no_audio_or_video_stream(tmp_path: Path) -> None:
    path = tmp_path / "captions.mp4"  # a subtitle file FFmpeg opens happily
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello\n\n")
    with pytest.raises(InputError) as err:
        probe_media(path)
    _assert_one_line(err, path, "no audio or video stream", "subtitle")


@pytest.mark.parametrize(("rate", "channels", "phrase"), [
    (0, 1, "sample rate (0 Hz)"),
    (2_147_483_647, 1, "sample rate (2147483647 Hz)"),
    (16_000, 0, "no channels"),
])
def test_invalid_audio_header(tmp_path: Path, rate: int, channels: int, phrase: str) -> None:
    path = _wav(tmp_path / f"bad_{rate}_{channels}.wav", rate, channels)
    with pytest.raises(InputError) as err:
        probe_media(path)
    _assert_one_line(err, path, phrase)
