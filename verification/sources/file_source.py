"""Recordings as sources: FileVideoSource and FileAudioSource decode one stream each with PyAV.

Each source opens its own container and demuxes only its stream, so video and audio decode on
separate capture threads without sharing FFmpeg state. Timestamps are seconds from the start of
the file (the container's start), shared by both streams so lip-sync offsets survive.

A recording that is cut short or damaged is an error, not a shorter call: analysing 1 s of a 3 s
clip and calling it "low risk" would be wrong. Decode errors raise at once; truncation is found
at the end by comparing the decoded end time with the duration the container declares. Formats
whose declared duration is itself read from the end of the file (WAV, Ogg, MPEG-PS) shrink with
the file, so a clean cut in those cannot be told from a shorter recording. A stream that decodes
to nothing at all is an error too.

`MediaLimits` bounds what a file may make the decoder do (picture size, streams, channels,
media time, frame rate), checked on the header at open and again on every decoded frame, since
damaged or hostile files change size and timestamps mid-stream.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.video.stream import VideoStream

from verification.errors import InputError
from verification.sources.audio_normalize import AudioChunker, MonoResampler
from verification.sources.base import (
    INTERNAL_SAMPLE_RATE,
    AudioChunk,
    AudioInfo,
    AudioSource,
    FrameSource,
    VideoFrame,
    VideoInfo,
)
from verification.sources.frame_size import check_max_side, fit_size, shrink
from verification.sources.media_limits import MediaLimits
from verification.sources.media_probe import (
    audio_info,
    container_duration,
    ffmpeg_reason,
    media_origin,
    open_media,
    pick_audio_stream,
    pick_video_stream,
    video_info,
)

AnyStream = VideoStream | AudioStream

_JPEG_RANGE = 2  # AVCOL_RANGE_JPEG: full-range YUV (webcams, MJPEG), which OpenCV would misread


class FileVideoSource(FrameSource):
    """Frames of the first video stream as BGR uint8, optionally downscaled to `max_side`.

    Non-square pixels (anamorphic DVD/VCD) are scaled to square so faces keep their shape, and
    frames carrying a rotation (phone video) are turned upright. `open()` returns the size of the
    delivered frames before any rotation (the rotation is only known per frame).
    """

    live = False

    def __init__(self, path: str | os.PathLike[str], max_side: int | None = None,
                 limits: MediaLimits = MediaLimits()) -> None:
        check_max_side(max_side)
        self.path = Path(path)
        self.max_side = max_side
        self.limits = limits
        self._container: InputContainer | None = None
        self._frames: Iterator[av.VideoFrame] | None = None
        self._seq = 0
        self._last_pts = -1.0
        self._period = 1 / 25
        self._origin = 0.0
        self._aspect = 1.0

    @property
    def name(self) -> str:
        return f"file:{self.path.name}"

    def open(self) -> VideoInfo:
        self.close()
        container = open_media(self.path)
        try:
            self.limits.check_streams(self.path, len(container.streams))
            stream = pick_video_stream(container)
            if stream is None:
                raise InputError(f"{self.path}: has no video stream")
            info = video_info(self.path, stream, self.limits)
            # Frame+slice threads: several times faster on HD H.264; files need no low latency.
            stream.codec_context.thread_type = "AUTO"
            stream.codec_context.thread_count = 0
        except BaseException:
            container.close()
            raise
        self._container = container
        self._origin = media_origin(container)
        self._period = 1 / info.fps if info.fps else 1 / 25
        self._frames = _decode(self.path, container, stream, self._origin, self.limits, self._period)
        self._seq = 0
        self._last_pts = -1.0
        self._aspect = _pixel_aspect(stream)
        width, height = fit_size(info.width, info.height, self.max_side, pixel_aspect=self._aspect)
        return VideoInfo(width=width, height=height, fps=info.fps)

    def read(self) -> VideoFrame | None:
        if self._frames is None:
            raise RuntimeError("FileVideoSource.read() before open()")
        frame = next(self._frames, None)
        if frame is None:
            return None
        pts = _seconds(frame.pts, frame.time_base, self._origin)
        if pts is None or pts <= self._last_pts:  # missing or repeated stamps: keep time moving
            pts = self._last_pts + self._period if self._last_pts >= 0 else 0.0
        pts = max(0.0, pts)  # frames before the first audio (edit lists) start the clock at 0
        # Per frame: WebRTC recordings change resolution mid-call.
        width, height = fit_size(frame.width, frame.height, self.max_side, pixel_aspect=self._aspect)
        image = _upright(_to_bgr(frame, width, height), frame)
        out = VideoFrame(seq=self._seq, pts=pts, captured_at=time.monotonic(), image=image)
        self._seq += 1
        self._last_pts = pts
        return out

    def close(self) -> None:
        self._frames = None
        if self._container is not None:
            self._container.close()
            self._container = None


class FileAudioSource(AudioSource):
    """Audio of the first audio stream, mixed to mono, resampled to 16 kHz, in `chunk_s` chunks.

    Chunks hold exactly `chunk_s` seconds except the last one and the one before a hole in the
    recording (lost packets), after which pts jumps so later speech stays at its true time.
    """

    live = False

    def __init__(self, path: str | os.PathLike[str], chunk_s: float = 0.1,
                 limits: MediaLimits = MediaLimits()) -> None:
        if not 0.001 <= chunk_s <= 60:
            raise ValueError(f"chunk_s must be between 0.001 and 60 s, got {chunk_s}")
        self.path = Path(path)
        self.chunk_s = chunk_s
        self.limits = limits
        self._container: InputContainer | None = None
        self._frames: Iterator[av.AudioFrame] | None = None
        self._origin = 0.0
        self._resampler = MonoResampler()
        self._chunker = AudioChunker(chunk_s)
        self._ready: deque[AudioChunk] = deque()

    @property
    def name(self) -> str:
        return f"file:{self.path.name}"

    def open(self) -> AudioInfo:
        self.close()
        container = open_media(self.path)
        try:
            self.limits.check_streams(self.path, len(container.streams))
            stream = pick_audio_stream(container)
            if stream is None:
                raise InputError(f"{self.path}: has no audio stream")
            info = audio_info(self.path, stream, self.limits)
        except BaseException:
            container.close()
            raise
        self._container = container
        self._origin = media_origin(container)
        self._frames = _decode(self.path, container, stream, self._origin, self.limits)
        self._resampler = MonoResampler()
        self._chunker = AudioChunker(self.chunk_s)
        self._ready.clear()
        return info

    def read(self) -> AudioChunk | None:
        if self._container is None:
            raise RuntimeError("FileAudioSource.read() before open()")
        while not self._ready and self._frames is not None:
            frame = next(self._frames, None)
            if frame is None:  # end of file: drain the resampler, then the partial chunk
                self._frames = None
                for block_pts, samples in self._resampler.flush():
                    self._ready.extend(self._chunker.push(max(0.0, block_pts), samples))
                last = self._chunker.flush()
                if last is not None:
                    self._ready.append(last)
                break
            pts = _seconds(frame.pts, frame.time_base, self._origin)
            for block_pts, samples in self._resampler.push_frame(frame, pts):
                if block_pts < 0:  # before the file's origin (codec priming): not part of the call
                    samples = samples[round(-block_pts * INTERNAL_SAMPLE_RATE):]
                    block_pts = 0.0
                if samples.size:
                    self._ready.extend(self._chunker.push(block_pts, samples))
        return self._ready.popleft() if self._ready else None

    def close(self) -> None:
        self._frames = None
        if self._container is not None:
            self._container.close()
            self._container = None


def _decode(path: Path, container: InputContainer, stream: AnyStream, origin: float,
            limits: MediaLimits, period: float = 0.0) -> Iterator[av.VideoFrame | av.AudioFrame]:
    """Decoded frames of one stream; raises InputError on damage, a short file or a broken limit.

    `period`: nominal video frame time, which frames without a timestamp (raw H.264 or MPEG-4
    streams) advance the clock by, as FileVideoSource spaces them.
    """
    declared_end, exact = _declared_end(container, stream)
    total = declared_end - origin if declared_end is not None else None
    limits.check_duration(path, total, declared=True)
    reached = 0.0  # media time decoded so far, relative to origin
    frames = timed = 0
    video = stream.type == "video"
    try:
        for packet in container.demux(stream):
            for frame in packet.decode():
                end = _frame_end(frame, origin)
                if end is None and video:
                    end = reached + period
                if end is not None:
                    reached = max(reached, end)
                    limits.check_duration(path, reached, declared=False)
                frames += 1
                if video:
                    limits.check_picture(path, frame.width, frame.height)
                    if frame.pts is not None:  # frames stamped too densely (or all alike): a bomb
                        timed += 1
                        limits.check_frame_rate(path, timed, reached)
                yield frame
    except av.FFmpegError as exc:
        raise InputError(f"{path}: truncated or corrupt {stream.type} after "
                         f"{_progress(reached, total)} ({ffmpeg_reason(exc)})") from exc
    if frames == 0:
        raise InputError(f"{path}: its {stream.type} stream holds no decodable data")
    if total is not None:
        # Encoder padding and estimated durations differ by a few frames; a cut differs by more.
        tolerance = max(0.5, 0.02 * total) if exact else max(1.0, 0.1 * total)
        if reached < total - tolerance:
            raise InputError(f"{path}: truncated or corrupt {stream.type} after "
                             f"{_progress(reached, total)}")


def _declared_end(container: InputContainer, stream: AnyStream) -> tuple[float | None, bool]:
    """End time the file promises for this stream, and whether the stream itself declared it."""
    if stream.duration and stream.time_base:
        start = stream.start_time or 0
        return float((start + stream.duration) * stream.time_base), True
    duration = container_duration(container)
    if duration is None:
        return None, False
    return media_origin(container) + duration, False


def _frame_end(frame: av.VideoFrame | av.AudioFrame, origin: float) -> float | None:
    start = _seconds(frame.pts, frame.time_base, origin)
    if start is None:
        return None
    if isinstance(frame, av.AudioFrame):
        return start + frame.samples / frame.sample_rate if frame.sample_rate else start
    step = _seconds(frame.duration, frame.time_base, 0.0) if frame.duration else None
    return start + (step or 0.0)


def _seconds(ticks: int | None, time_base: Fraction | None, origin: float) -> float | None:
    if ticks is None or time_base is None:
        return None
    return float(ticks * time_base) - origin


def _progress(reached: float, total: float | None) -> str:
    return f"{reached:.2f} s of {total:.2f} s" if total is not None else f"{reached:.2f} s"


def _to_bgr(frame: av.VideoFrame, width: int, height: int) -> np.ndarray:
    """BGR uint8 at (width, height)."""
    even = frame.width % 2 == 0 and frame.height % 2 == 0
    if frame.format.name == "yuv420p" and even and frame.color_range != _JPEG_RANGE:
        # OpenCV's SIMD YUV->BGR is about twice as fast as swscale's here (720p: ~1100 vs ~580
        # frames/s); it assumes BT.601 limited range, within 3 levels of swscale's output.
        image = cv2.cvtColor(frame.to_ndarray(), cv2.COLOR_YUV2BGR_I420)
        return shrink(image, width, height)
    return frame.to_ndarray(format="bgr24", width=width, height=height, interpolation="AREA")


def _upright(image: np.ndarray, frame: av.VideoFrame) -> np.ndarray:
    """Turn a frame upright when its file says how it is rotated (phones record sideways)."""
    try:
        quarter_turns = round(float(frame.rotation) / 90) % 4
    except (AttributeError, TypeError, ValueError):  # no display matrix
        return image
    return np.ascontiguousarray(np.rot90(image, k=quarter_turns)) if quarter_turns else image


def _pixel_aspect(stream: VideoStream) -> float:
    sar = stream.codec_context.sample_aspect_ratio
    return float(sar) if sar and float(sar) > 0 else 1.0

