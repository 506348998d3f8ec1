"""Hostile and odd media for reliability tests and the fuzz benchmark, generated with PyAV and numpy.

Every function writes one file into a folder and returns its path. Nothing here is random unless
a seed is given, so a failing case can be rebuilt exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from tests.media import write_clip

_LAYOUTS = {1: "mono", 2: "stereo", 3: "2.1", 4: "quad", 5: "5.0", 6: "5.1", 7: "6.1", 8: "7.1"}


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> Path:
    """16-bit PCM WAV from float samples shaped (channels, n) in [-1, 1] (clipped)."""
    channels = samples.shape[0]
    data = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
    with av.open(str(path), "w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=sample_rate)
        stream.layout = _LAYOUTS[channels]
        block = 4096
        for start in range(0, data.shape[1], block):
            # packed s16: one row, channels interleaved
            chunk = np.ascontiguousarray(data[:, start:start + block].T).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout=_LAYOUTS[channels])
            frame.sample_rate = sample_rate
            frame.pts = start
            frame.time_base = Fraction(1, sample_rate)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def tone(seconds: float, sample_rate: int, channels: int = 1, level: float = 0.3,
         offset: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    mono = offset + level * np.sin(2 * np.pi * 440 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t))
    return np.repeat(mono[None, :], channels, axis=0)


def write_video(path: Path, frames: int, size: tuple[int, int], fps: int = 25, codec: str = "mpeg4",
                pts: list[int] | None = None, time_base: Fraction | None = None,
                rotate: int | None = None, fmt: str | None = None) -> Path:
    """A moving gradient, `frames` frames at `size`; optional explicit pts (variable frame rate)."""
    w, h = size
    ramp = np.add.outer(np.arange(h), np.arange(w)) % 256
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height = w, h
        stream.pix_fmt = "yuv420p"
        if time_base is not None:
            stream.time_base = time_base
        if rotate is not None:
            stream.set_display_rotation(rotate)
        for i in range(frames):
            image = np.stack([(ramp + 7 * i) % 256, ramp, 255 - ramp], axis=-1).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = pts[i] if pts is not None else i
            frame.time_base = time_base or Fraction(1, fps)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def write_many_streams(path: Path, streams: int, sample_rate: int = 8000) -> Path:
    """A Matroska file holding `streams` short mono PCM audio streams."""
    with av.open(str(path), "w", format="matroska") as out:
        outs = []
        for _ in range(streams):
            stream = out.add_stream("pcm_s16le", rate=sample_rate)
            stream.layout = "mono"
            outs.append(stream)
        data = (tone(0.05, sample_rate)[0] * 32767).astype(np.int16)[None, :]
        for stream in outs:
            frame = av.AudioFrame.from_ndarray(data, format="s16", layout="mono")
            frame.sample_rate = sample_rate
            frame.pts = 0
            frame.time_base = Fraction(1, sample_rate)
            for packet in [*stream.encode(frame), *stream.encode()]:
                out.mux(packet)
    return path


def write_y4m_header_bomb(path: Path, width: int, height: int) -> Path:
    """A 100-byte raw-video file whose header promises one enormous frame (and holds no pixels)."""
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F25:1 Ip A1:1 C420jpeg\nFRAME\n".encode() + bytes(64))
    return path


def write_frame_count_bomb(path: Path, frames: int, size: tuple[int, int] = (64, 64)) -> Path:
    """Raw MPEG-4 video (read at 25 frames a second): one picture, then `frames` copies of one tiny
    "nothing changed" frame. 18 bytes a frame: 10 MB decode to more than 6 hours of video.
    """
    packets = _still_packets(*size, 2)
    path.write_bytes(packets[0] + packets[-1] * frames)
    return path


def write_frame_rate_bomb(path: Path, frames: int, per_second: int = 1000,
                          size: tuple[int, int] = (64, 64)) -> Path:
    """Matroska: the same tiny "nothing changed" frame `frames` times, `per_second` frames a second."""
    w, h = size
    packets = _still_packets(w, h, 2)
    with av.open(str(path), "w", format="matroska") as out:
        stream = out.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.time_base = Fraction(1, 1000)
        for i in range(frames):
            packet = av.Packet(packets[0] if i == 0 else packets[-1])
            packet.stream = stream
            packet.pts = packet.dts = i * 1000 // per_second
            packet.time_base = stream.time_base
            if i == 0:
                packet.is_keyframe = True
            out.mux(packet)
    return path


def _still_packets(w: int, h: int, repeats: int) -> list[bytes]:
    codec = av.CodecContext.create("mpeg4", "w")
    codec.width, codec.height, codec.pix_fmt = w, h, "yuv420p"
    codec.time_base = Fraction(1, 25)
    codec.gop_size = 1_000_000
    image = np.full((h, w, 3), 90, np.uint8)
    packets = []
    for i in range(repeats + 1):
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts = i
        packets.extend(codec.encode(frame))
    packets.extend(codec.encode(None))
    return [bytes(p) for p in packets]


def mutate(data: bytes, seed: int) -> bytes:
    """One seeded mutation of a media file: flipped bits, overwritten or dropped ranges, a cut."""
    rng = np.random.default_rng(seed)
    buf = bytearray(data)
    kind = int(rng.integers(0, 5))
    n = len(buf)
    if kind == 0:  # flip a few bits anywhere
        for pos in rng.integers(0, n, size=int(rng.integers(1, 16))):
            buf[int(pos)] ^= 1 << int(rng.integers(0, 8))
    elif kind == 1:  # overwrite a range with random bytes
        start = int(rng.integers(0, n))
        length = int(rng.integers(1, max(2, n // 20)))
        buf[start:start + length] = rng.integers(0, 256, size=len(buf[start:start + length]), dtype=np.uint8).tobytes()
    elif kind == 2:  # header damage: the first 512 bytes
        for pos in rng.integers(0, min(n, 512), size=int(rng.integers(1, 8))):
            buf[int(pos)] = int(rng.integers(0, 256))
    elif kind == 3:  # a range cut out of the middle
        start = int(rng.integers(0, n))
        del buf[start:start + int(rng.integers(1, max(2, n // 10)))]
    else:  # 4-byte fields set to extreme values (sizes, counts, rates)
        for pos in rng.integers(0, max(1, n - 4), size=int(rng.integers(1, 6))):
            value = [0, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000][int(rng.integers(0, 4))]
            buf[int(pos):int(pos) + 4] = int(value).to_bytes(4, "little")
    return bytes(buf)


def mutated_files(folder: Path, seeds: Iterable[int], seed_files: list[Path]) -> Iterator[Path]:
    """One mutated copy of a seed file per seed (seed files taken in turn), same extension."""
    for seed in seeds:
        original = seed_files[seed % len(seed_files)]
        path = folder / f"mut{seed:05d}{original.suffix}"
        path.write_bytes(mutate(original.read_bytes(), seed))
        yield path


def seed_files(folder: Path) -> list[Path]:
    """Small valid files of the common kinds, the starting points of the mutation fuzzer."""
    folder.mkdir(parents=True, exist_ok=True)
    return [write_clip(folder / "seed.mp4", seconds=1.0, size=(96, 64)),
            write_clip(folder / "seed.mkv", seconds=1.0, size=(96, 64), vcodec="libx264", acodec="libopus"),
            write_clip(folder / "seed.wav", seconds=1.0, video=False, acodec="pcm_s16le", sample_rate=16000),
            write_clip(folder / "seed.webm", seconds=1.0, audio=False, size=(96, 64), vcodec="libvpx")]


#: name -> writer(folder) -> path; what each must do: produce a report or a one-line error.
Case = Callable[[Path], Path]


def _valid_mp4(folder: Path) -> Path:
    return write_clip(folder / "valid_source.mp4", seconds=1.0, size=(96, 64))


def _write_bytes(name: str, data: Callable[[Path], bytes]) -> Case:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data(folder))
        return path
    return write


def hostile_cases(long: bool = False) -> dict[str, Case]:
    """The odd-media catalogue; `long` adds the slower or bigger cases (for the benchmark)."""
    cases: dict[str, Case] = {
        "zero_length": _write_bytes("zero_length.mp4", lambda f: b""),
        "random_bytes": _write_bytes("random_bytes.mp4",
                                     lambda f: np.random.default_rng(1).bytes(65536)),
        "truncated": _write_bytes("truncated.mp4", lambda f: _valid_mp4(f).read_bytes()[:3000]),
        "corrupt_header": _write_bytes("corrupt_header.mp4",
                                       lambda f: bytes(64) + _valid_mp4(f).read_bytes()[64:]),
        "wav_named_mp4": lambda f: write_wav(f / "wav_named.mp4", tone(1.0, 16000), 16000),
        "mp4_named_wav": _write_bytes("mp4_named.wav", lambda f: _valid_mp4(f).read_bytes()),
        "rate_8k": lambda f: write_wav(f / "rate_8k.wav", tone(1.0, 8000), 8000),
        "rate_96k": lambda f: write_wav(f / "rate_96k.wav", tone(1.0, 96000), 96000),
        "channels_6": lambda f: write_wav(f / "channels_6.wav", tone(1.0, 48000, 6), 48000),
        "channels_8": lambda f: write_wav(f / "channels_8.wav", tone(1.0, 48000, 8), 48000),
        "silence": lambda f: write_wav(f / "silence.wav", np.zeros((1, 16000)), 16000),
        "clipping": lambda f: write_wav(f / "clipping.wav", tone(1.0, 16000, level=8.0), 16000),
        "dc_offset": lambda f: write_wav(f / "dc_offset.wav", tone(1.0, 16000, offset=0.6), 16000),
        "tiny_64x64": lambda f: write_video(f / "tiny_64x64.mp4", 10, (64, 64)),
        "uhd_4k": lambda f: write_video(f / "uhd_4k.mp4", 2, (3840, 2160), fps=5),
        "vfr": lambda f: write_video(f / "vfr.mkv", 12, (96, 64), pts=[0, 40, 45, 50, 200, 210, 600, 601, 602,
                                                                       900, 1000, 1400],
                                     time_base=Fraction(1, 1000), fmt="matroska", codec="libx264"),
        "rotated": lambda f: write_video(f / "rotated.mp4", 10, (96, 64), rotate=90),
        "raw_h264_untimed": lambda f: write_video(f / "raw_h264_untimed.h264", 60, (96, 64), codec="libx264",
                                                  fmt="h264"),
        "audio_only": lambda f: write_clip(f / "audio_only.m4a", seconds=1.0, video=False),
        "video_only": lambda f: write_clip(f / "video_only.mkv", seconds=1.0, audio=False, size=(96, 64)),
        "hundreds_of_streams": lambda f: write_many_streams(f / "hundreds_of_streams.mkv", 300),
        "frame_size_bomb": lambda f: write_y4m_header_bomb(f / "frame_size_bomb.y4m", 16000, 16000),
        "frame_rate_bomb": lambda f: write_frame_rate_bomb(f / "frame_rate_bomb.mkv", 20_000),
    }
    if long:
        cases.update({
            f"channels_{c}": (lambda c: lambda f: write_wav(f / f"channels_{c}.wav", tone(1.0, 48000, c), 48000))(c)
            for c in (1, 2, 3, 4, 5, 7)})
        cases.update({
            f"rate_{r}": (lambda r: lambda f: write_wav(f / f"rate_{r}.wav", tone(1.0, r), r))(r)
            for r in (11025, 22050, 32000, 44100, 48000, 88200)})
        cases["frame_count_bomb"] = lambda f: write_frame_count_bomb(f / "frame_count_bomb.m4v", 550_000)
        cases["uhd_8k"] = lambda f: write_video(f / "uhd_8k.mp4", 1, (7680, 4320), fps=5)
    return cases
