"""What a recording holds (container, duration, first usable video and audio stream), read with PyAV.

Also the one place that opens a recording, so every file source fails the same way: one line
that names the file and says what is wrong (missing, empty, not media, no usable stream).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.video.stream import VideoStream

from verification.errors import InputError
from verification.sources.base import AudioInfo, VideoInfo
from verification.sources.media_limits import MediaLimits

# Rates outside this range are header garbage, not audio (telephony is 8 kHz, studio 384 kHz).
MIN_SAMPLE_RATE = 4_000
MAX_SAMPLE_RATE = 768_000


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    container_format: str  # FFmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "mpeg", "wav"
    duration_s: float | None  # None when the container does not say (live dumps, some streams)
    video: VideoInfo | None
    audio: AudioInfo | None
    video_codec: str | None = None
    audio_codec: str | None = None


def probe_media(path: str | os.PathLike[str], limits: MediaLimits = MediaLimits()) -> MediaInfo:
    """Read the header of `path`; raises InputError when nothing in it can be analysed, or when it
    declares more than `limits` allow (picture size, streams, channels, duration)."""
    path = Path(path)
    with open_media(path) as container:
        limits.check_streams(path, len(container.streams))
        video = pick_video_stream(container)
        audio = pick_audio_stream(container)
        if video is None and audio is None:
            found = ", ".join(sorted({s.type for s in container.streams})) or "nothing"
            raise InputError(f"{path}: contains no audio or video stream (found: {found})")
        duration = container_duration(container)
        limits.check_duration(path, duration, declared=True)
        return MediaInfo(
            path=path,
            container_format=container.format.name,
            duration_s=duration,
            video=video_info(path, video, limits) if video is not None else None,
            audio=audio_info(path, audio, limits) if audio is not None else None,
            video_codec=video.codec_context.name if video is not None else None,
            audio_codec=audio.codec_context.name if audio is not None else None,
        )


def open_media(path: Path) -> InputContainer:
    """Open a recording for reading, turning every failure into a one-line InputError."""
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a media file")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if size == 0:
        raise InputError(f"{path}: file is empty (0 bytes)")
    try:
        return av.open(str(path), mode="r")
    except PermissionError as exc:
        raise InputError(f"{path}: cannot be read (permission denied)") from exc
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise InputError(f"{path}: {_why_unreadable(path, exc)}") from exc


def pick_video_stream(container: InputContainer) -> VideoStream | None:
    # Cover art in audio files is a one-frame "video" stream: not a picture of anyone on a call.
    streams = [s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic]
    return _first_decodable(streams)


def pick_audio_stream(container: InputContainer) -> AudioStream | None:
    return _first_decodable(list(container.streams.audio))


def _first_decodable(streams: list) -> Any:
    """The first stream FFmpeg has a decoder for, else the first one (which then fails clearly)."""
    for stream in streams:
        if stream.codec_context is not None:
            return stream
    return streams[0] if streams else None


def _codec_context(path: Path, stream: VideoStream | AudioStream) -> Any:
    ctx = stream.codec_context
    if ctx is None:  # unknown or damaged codec id: FFmpeg has no decoder to attach
        raise InputError(f"{path}: its {stream.type} stream uses a codec that cannot be decoded")
    return ctx


def container_duration(container: InputContainer) -> float | None:
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    return None


def media_origin(container: InputContainer) -> float:
    """Media time that becomes pts 0 for every stream of the file, so audio and video stay aligned."""
    if container.start_time is not None:
        return container.start_time / av.time_base
    return 0.0


def video_info(path: Path, stream: VideoStream, limits: MediaLimits = MediaLimits()) -> VideoInfo:
    ctx = _codec_context(path, stream)
    if ctx.width <= 0 or ctx.height <= 0:
        raise InputError(f"{path}: video stream has no valid picture size ({ctx.width}x{ctx.height})")
    limits.check_picture(path, ctx.width, ctx.height)
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    fps = float(rate) if rate and 0 < float(rate) < 1000 else None
    return VideoInfo(width=ctx.width, height=ctx.height, fps=fps)


def audio_info(path: Path, stream: AudioStream, limits: MediaLimits = MediaLimits()) -> AudioInfo:
    ctx = _codec_context(path, stream)
    rate = ctx.sample_rate or 0
    if rate <= 0:
        raise InputError(f"{path}: audio stream has an unknown sample rate")
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise InputError(f"{path}: audio stream has an invalid sample rate ({rate} Hz)")
    channels = ctx.layout.nb_channels if ctx.layout is not None else 0
    if channels <= 0:
        raise InputError(f"{path}: audio stream has no channels")
    limits.check_channels(path, channels)
    return AudioInfo(sample_rate=rate, channels=channels)


def ffmpeg_reason(exc: BaseException) -> str:
    """FFmpeg's own words without PyAV's errno prefix and call name."""
    return str(getattr(exc, "strerror", None) or exc).strip().rstrip(".")


def _why_unreadable(path: Path, exc: BaseException) -> str:
    # FFmpeg only says "Invalid data"; the first bytes often tell the user something actionable.
    head = _read_head(path, 64)
    if head[4:8] == b"ftyp":
        return ("incomplete MP4/MOV file: its index ('moov' atom) is missing, so the recording "
                "was not finished or the file was cut short")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        rate = _wav_header_rate(head)
        if rate is not None and not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
            return f"WAV header has an invalid sample rate ({rate} Hz)"
        return f"damaged WAV file ({ffmpeg_reason(exc)})"
    return f"not a readable audio or video file ({ffmpeg_reason(exc)})"


def _read_head(path: Path, n: int) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(n)
    except OSError:
        return b""


def _wav_header_rate(head: bytes) -> int | None:
    # Canonical layout only: "fmt " chunk right after "WAVE"; good enough for a better message.
    if head[12:16] != b"fmt " or len(head) < 28:
        return None
    return int(struct.unpack("<I", head[24:28])[0])
