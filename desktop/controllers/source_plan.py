"""What the user chose to watch and hear, and how that becomes engine sources.

No Qt here: the choice is plain data, so it can be built by the chooser, by `--demo`, or by tests.
Sources are built on the session's thread because opening a recording probes the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Union

from verification.errors import InputError
from verification.sources import (AudioDeviceInfo, AudioDeviceSource, AudioSource, CameraSource,
                                  FileAudioSource, FileVideoSource, FrameSource, ScreenRegion, ScreenSource,
                                  WindowRegion, probe_media)

#: frames per second grabbed from the screen: the engine analyses at most 15 per second anyway
SCREEN_FPS = 15.0
#: detectors work below this size; larger captures are shrunk at the source
MAX_SIDE = 1280


@dataclass(frozen=True)
class WindowTarget:
    window_id: int
    title: str

    def describe(self) -> str:
        return f"window '{self.title}'"


@dataclass(frozen=True)
class RegionTarget:
    region: ScreenRegion  # physical screen pixels, as the capture library counts them

    def describe(self) -> str:
        return f"screen region {self.region.describe()}"


@dataclass(frozen=True)
class MonitorTarget:
    number: int  # 1 = first monitor

    def describe(self) -> str:
        return f"monitor {self.number}"


@dataclass(frozen=True)
class CameraTarget:
    index: int
    name: str

    def describe(self) -> str:
        return f"camera '{self.name}'"


@dataclass(frozen=True)
class RecordingTarget:
    """A recording played as if it were the call (demo and training), paced to real time."""

    path: str

    def describe(self) -> str:
        return f"recording {Path(self.path).name}"


@dataclass(frozen=True)
class DeviceAudio:
    device: AudioDeviceInfo
    loopback: bool  # True: what the computer plays (the other side of the call)

    def describe(self) -> str:
        kind = "system audio" if self.loopback else "microphone"
        return f"{kind} '{self.device.name}'"


VideoTarget = Union[WindowTarget, RegionTarget, MonitorTarget, CameraTarget, RecordingTarget]
AudioTarget = Union[DeviceAudio, RecordingTarget]


@dataclass(frozen=True)
class SourcePlan:
    video: VideoTarget | None
    audio: AudioTarget | None

    def describe(self) -> str:
        parts = [t.describe() for t in (self.video, self.audio) if t is not None]
        if len(parts) == 2 and parts[0] == parts[1]:
            return parts[0]
        return " + ".join(parts) or "nothing"


def demo_plan(path: str) -> SourcePlan:
    """`--demo RECORDING`: the recording's picture and sound stand in for the call."""
    return SourcePlan(RecordingTarget(path), RecordingTarget(path))


def build_video_source(target: VideoTarget) -> FrameSource | None:
    if isinstance(target, WindowTarget):
        return ScreenSource(WindowRegion(target.window_id, target.title), fps=SCREEN_FPS, max_side=MAX_SIDE)
    if isinstance(target, RegionTarget):
        return ScreenSource(target.region, fps=SCREEN_FPS, max_side=MAX_SIDE)
    if isinstance(target, MonitorTarget):
        return ScreenSource(target.number, fps=SCREEN_FPS, max_side=MAX_SIDE)
    if isinstance(target, CameraTarget):
        return CameraSource(target.index, max_side=MAX_SIDE)
    info = probe_media(target.path)  # InputError names the file when it cannot be read
    return FileVideoSource(target.path, max_side=MAX_SIDE) if info.video else None


def build_audio_source(target: AudioTarget) -> AudioSource | None:
    if isinstance(target, DeviceAudio):
        return AudioDeviceSource(target.device)
    info = probe_media(target.path)
    return FileAudioSource(target.path) if info.audio else None


def build_sources(plan: SourcePlan) -> tuple[FrameSource | None, AudioSource | None]:
    video = build_video_source(plan.video) if plan.video is not None else None
    audio = build_audio_source(plan.audio) if plan.audio is not None else None
    if video is None and audio is None:
        raise InputError(f"{plan.describe()}: nothing to watch or hear (no picture and no sound)")
    return video, audio
