"""Capture sources: recordings (PyAV), cameras (OpenCV), screen/window (mss), audio devices
(sounddevice, imported only when used), and deterministic synthetic sources for tests."""

from verification.sources.audio_device_source import (
    AudioDeviceInfo,
    AudioDeviceSource,
    find_loopback_device,
    list_audio_devices,
    list_audio_inputs,
    loopback_hint,
    pick_loopback_device,
)
from verification.sources.base import (
    INTERNAL_SAMPLE_RATE,
    AudioChunk,
    AudioInfo,
    AudioSource,
    FrameSource,
    VideoFrame,
    VideoInfo,
)
from verification.sources.camera_source import CameraInfo, CameraSource, list_cameras
from verification.sources.file_source import FileAudioSource, FileVideoSource
from verification.sources.media_probe import MediaInfo, probe_media
from verification.sources.screen_region import ScreenRegion, validate_region
from verification.sources.screen_source import ScreenSource, list_monitors
from verification.sources.synthetic_source import SyntheticAudioSource, SyntheticFrameSource
from verification.sources.window_lookup import (
    WindowInfo,
    WindowRegion,
    list_windows,
    window_support,
)

__all__ = [
    "INTERNAL_SAMPLE_RATE",
    "AudioChunk",
    "AudioDeviceInfo",
    "AudioDeviceSource",
    "AudioInfo",
    "AudioSource",
    "CameraInfo",
    "CameraSource",
    "FileAudioSource",
    "FileVideoSource",
    "FrameSource",
    "MediaInfo",
    "ScreenRegion",
    "ScreenSource",
    "SyntheticAudioSource",
    "SyntheticFrameSource",
    "VideoFrame",
    "VideoInfo",
    "WindowInfo",
    "WindowRegion",
    "find_loopback_device",
    "list_audio_devices",
    "list_audio_inputs",
    "list_cameras",
    "list_monitors",
    "list_windows",
    "loopback_hint",
    "pick_loopback_device",
    "probe_media",
    "validate_region",
    "window_support",
]
