"""FileVideoSource / FileAudioSource on real encoded files: counts, timing, colour order, damage."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from tests.media import GRID_DIR, SHARED_DATA, write_clip
from verification.errors import InputError
from verification.sources import (
    INTERNAL_SAMPLE_RATE,
    AudioChunk,
    FileAudioSource,
    FileVideoSource,
    VideoFrame,
    probe_media,
)

SPEECH_DIR = SHARED_DATA / "speech" / "real"


def _encoder(name: str) -> bool:
    try:
        av.codec.Codec(name, "w")
    except Exception:  # noqa: BLE001 - PyAV raises different errors for unknown codecs
        return False
    return True


def _frames(source: FileVideoSource) -> list[VideoFrame]:
    source.open()
    try:
        return list(iter(source.read, None))
    finally:
        source.close()


def _chunks(source: FileAudioSource) -> list[AudioChunk]:
    source.open()
    try:
        return list(iter(source.read, None))
    finally:
        source.close()


def _assert_audio_timeline(chunks: list[AudioChunk], chunk_s: float) -> None:
    size = round(chunk_s * INTERNAL_SAMPLE_RATE)
    assert [c.seq for c in chunks] == list(range(len(chunks)))
    assert all(c.samples.dtype == np.float32 and c.samples.ndim == 1 for c in chunks)
    assert all(c.samples.size == size for c in chunks[:-1])
    assert 0 < chunks[-1].samples.size <= size
    for before, after in zip(chunks, chunks[1:]):  # gapless: each chunk starts where the last ended
        assert after.pts == pytest.approx(before.pts + before.samples.size / INTERNAL_SAMPLE_RATE)
    assert max(float(np.abs(c.samples).max()) for c in chunks) <= 1.0


FORMATS = [  # (file name, write_clip arguments, encoders needed)
    ("h264_aac.mp4", {"vcodec": "libx264", "acodec": "aac"}, ("libx264", "aac")),
    ("mpeg4_aac.mp4", {"vcodec": "mpeg4", "acodec": "aac"}, ("mpeg4", "aac")),
    ("vp8_opus.webm", {"vcodec": "libvpx", "acodec": "libopus"}, ("libvpx", "libopus")),
    ("h264_flac.mkv", {"vcodec": "libx264", "acodec": "flac", "sample_rate": 44_100}, ("libx264", "flac")),
    ("opus.ogg", {"video": False, "acodec": "libopus"}, ("libopus",)),
    ("pcm.wav", {"video": False, "acodec": "pcm_s16le", "sample_rate": 22_050}, ("pcm_s16le",)),
]


@pytest.mark.parametrize(("name", "kwargs", "encoders"), FORMATS, ids=[f[0] for f in FORMATS])
def test_formats_decode_with_exact_timing(tmp_path: Path, name: str, kwargs: dict[str, Any],
                                          encoders: tuple[str, ...]) -> None:
    if not all(_encoder(e) for e in encoders):
        pytest.skip(f"PyAV build lacks one of {encoders}")
    clip = write_clip(tmp_path / name, seconds=2.0, fps=25, size=(160, 120), **kwargs)
    info = probe_media(clip)
    if info.video is not None:
        source = FileVideoSource(clip)
        frames = _frames(source)
        assert len(frames) == 50
        assert [f.seq for f in frames] == list(range(50))
        pts = np.array([f.pts for f in frames])
        assert pts[0] == pytest.approx(0.0, abs=1e-6)
        assert np.all(np.diff(pts) > 0)
        assert np.allclose(np.diff(pts), 1 / 25, atol=1e-3)
        assert all(f.image.shape == (120, 160, 3) and f.image.dtype == np.uint8 for f in frames)
    if info.audio is not None:
        chunks = _chunks(FileAudioSource(clip, chunk_s=0.1))
        _assert_audio_timeline(chunks, 0.1)
        total = sum(c.samples.size for c in chunks)
        assert total / INTERNAL_SAMPLE_RATE == pytest.approx(2.0, abs=0.03)  # codec padding only
        loud = np.concatenate([c.samples for c in chunks])
        assert 0.1 < float(np.abs(loud).max()) < 0.4  # write_clip's 0.3 tone survives the trip


def test_frames_are_bgr(tmp_path: Path) -> None:
    # write_clip's top-left corner is blue (R=ramp, G=ramp, B=255-ramp with ramp ~ 0 there).
    clip = write_clip(tmp_path / "colour.mp4", seconds=0.4, audio=False)
    image = _frames(FileVideoSource(clip))[0].image
    corner = image[:8, :8].reshape(-1, 3).mean(axis=0)
    assert corner[0] > 200 and corner[2] < 60, corner


def test_max_side_downscales_and_open_reports_delivered_size(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "big.mp4", seconds=0.4, size=(320, 240), audio=False)
    source = FileVideoSource(clip, max_side=100)
    info = source.open()
    frame = source.read()
    source.close()
    assert (info.width, info.height) == (100, 75)
    assert frame is not None and frame.image.shape == (75, 100, 3)
    assert frame.image.flags["C_CONTIGUOUS"]


def test_video_and_audio_decode_on_separate_threads(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "both.mp4", seconds=2.0)
    results: dict[str, int] = {}

    def run(kind: str) -> None:
        items = _frames(FileVideoSource(clip)) if kind == "video" else _chunks(FileAudioSource(clip))
        results[kind] = len(items)

    threads = [threading.Thread(target=run, args=(kind,)) for kind in ("video", "audio")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results["video"] == 50
    assert results["audio"] in (20, 21)  # 2 s in 0.1 s chunks, plus AAC's last padded frame


def test_reopen_starts_again_and_close_is_idempotent(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "again.mp4", seconds=0.4)
    video = FileVideoSource(clip)
    with pytest.raises(RuntimeError):
        video.read()
    first = _frames(video)
    second = _frames(video)
    video.close()
    assert [f.seq for f in first] == [f.seq for f in second]
    assert np.array_equal(first[3].image, second[3].image)
    audio = FileAudioSource(clip, chunk_s=0.25)
    assert [c.pts for c in _chunks(audio)] == [c.pts for c in _chunks(audio)]


def test_missing_stream_is_an_input_error(tmp_path: Path) -> None:
    wav = write_clip(tmp_path / "voice.wav", video=False, acodec="pcm_s16le")
    with pytest.raises(InputError, match="voice.wav: has no video stream"):
        FileVideoSource(wav).open()
    silent = write_clip(tmp_path / "silent.mp4", audio=False)
    with pytest.raises(InputError, match="silent.mp4: has no audio stream"):
        FileAudioSource(silent).open()


@pytest.mark.skipif(not GRID_DIR.is_dir(), reason="shared GRID clips not present")
def test_grid_clips_decode_fully() -> None:
    for clip in sorted(GRID_DIR.glob("*.mpg"))[:3]:
        frames = _frames(FileVideoSource(clip))
        assert len(frames) == 75
        assert frames[0].image.shape == (288, 360, 3)
        assert frames[-1].pts == pytest.approx(2.96, abs=1e-3)
        chunks = _chunks(FileAudioSource(clip))
        _assert_audio_timeline(chunks, 0.1)
        assert sum(c.samples.size for c in chunks) / INTERNAL_SAMPLE_RATE == pytest.approx(2.978, abs=0.01)


@pytest.mark.skipif(not SPEECH_DIR.is_dir(), reason="shared speech folder not present")
@pytest.mark.parametrize("pattern", ["*/*.flac", "*/*.wav"])
def test_real_speech_files(pattern: str) -> None:
    files = sorted(SPEECH_DIR.glob(pattern))
    if not files:
        pytest.skip(f"no {pattern} in the shared speech folder")
    for path in files[:2]:
        info = probe_media(path)
        assert info.audio is not None and info.duration_s is not None
        chunks = _chunks(FileAudioSource(path, chunk_s=0.5))
        _assert_audio_timeline(chunks, 0.5)
        seconds = sum(c.samples.size for c in chunks) / INTERNAL_SAMPLE_RATE
        assert seconds == pytest.approx(info.duration_s, abs=0.005)


# -- damaged recordings ------------------------------------------------------------------------

def _cut(path: Path, fraction: float = 0.5) -> Path:
    cut = path.with_name(f"cut_{path.name}")
    data = path.read_bytes()
    cut.write_bytes(data[: int(len(data) * fraction)])
    return cut


def _faststart(src: Path, dst: Path) -> Path:
    """Remux with the index ('moov') before the media data, as streaming-ready MP4s are."""
    with av.open(str(src)) as inp, av.open(str(dst), "w", options={"movflags": "faststart"}) as out:
        streams = {s.index: out.add_stream_from_template(s) for s in inp.streams}
        for packet in inp.demux():
            if packet.dts is None:  # flush packets
                continue
            packet.stream = streams[packet.stream.index]
            out.mux(packet)
    boxes = _top_level_boxes(dst.read_bytes())
    assert boxes.index(b"moov") < boxes.index(b"mdat"), boxes
    return dst


def _top_level_boxes(data: bytes) -> list[bytes]:
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset:offset + 4], "big")
        boxes.append(data[offset + 4:offset + 8])
        if size < 8:
            break
        offset += size
    return boxes


def _read_all(path: Path) -> None:
    _frames(FileVideoSource(path))
    _chunks(FileAudioSource(path))


def _assert_damage_message(err: pytest.ExceptionInfo[InputError], path: Path) -> None:
    message = str(err.value)
    assert "\n" not in message and message.startswith(str(path))
    assert "truncated or corrupt" in message
    assert " s of 2.00 s" in message  # how far it got, of the declared duration


def test_cut_mp4_with_index_at_end_cannot_open(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "rec.mp4", seconds=2.0, vcodec="libx264" if _encoder("libx264") else "mpeg4")
    boxes = _top_level_boxes(clip.read_bytes())
    assert boxes[0] == b"ftyp" and boxes.index(b"mdat") < boxes.index(b"moov")
    cut = _cut(clip)
    for action in (probe_media, lambda p: FileVideoSource(p).open(), lambda p: FileAudioSource(p).open()):
        with pytest.raises(InputError) as err:
            action(cut)
        assert str(err.value).startswith(str(cut)) and "'moov'" in str(err.value)
        assert "\n" not in str(err.value)


@pytest.mark.parametrize("kind", ["video", "audio"])
def test_cut_faststart_mp4_is_reported_as_truncated(tmp_path: Path, kind: str) -> None:
    clip = _faststart(write_clip(tmp_path / "rec.mp4", seconds=2.0), tmp_path / "fast.mp4")
    cut = _cut(clip)
    probe_media(cut)  # the index survives, so the header still reads fine
    with pytest.raises(InputError) as err:
        if kind == "video":
            _frames(FileVideoSource(cut))
        else:
            _chunks(FileAudioSource(cut))
    _assert_damage_message(err, cut)


def test_cut_matroska_is_reported_as_truncated(tmp_path: Path) -> None:
    if not (_encoder("libvpx") and _encoder("libopus")):
        pytest.skip("PyAV build lacks libvpx/libopus")
    clip = write_clip(tmp_path / "rec.webm", seconds=2.0, vcodec="libvpx", acodec="libopus")
    cut = _cut(clip)
    with pytest.raises(InputError) as err:
        _frames(FileVideoSource(cut))
    assert "truncated or corrupt video" in str(err.value) and "\n" not in str(err.value)


def test_corrupt_bytes_mid_stream(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "rec.mp4", seconds=2.0)
    data = bytearray(clip.read_bytes())
    start = len(data) * 2 // 5
    data[start:start + 4000] = np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    with pytest.raises(InputError) as err:
        _read_all(damaged)
    _assert_damage_message(err, damaged)
