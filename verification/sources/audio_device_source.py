"""A microphone or a system-audio loopback device as a live source (sounddevice / PortAudio).

The PortAudio callback only copies the block into a bounded queue (drop-oldest, counted) and
returns: resampling to 16 kHz mono happens on the reader's thread. Media time is the count of
samples captured since open; dropped blocks leave a jump in pts, which the audio ring records as
a gap. A stream that stops (device unplugged, driver reset) raises SourceLost from `read()`.

Getting the *other* side of a call (system audio) differs per OS:

- Linux (PulseAudio / PipeWire): every output has a "monitor" source. PortAudio builds with the
  PulseAudio host API list it ("Monitor of Built-in Audio ..."); through ALSA only "pulse" and
  "default" are listed: route the "pulse" device to the monitor in pavucontrol's Recording tab,
  or `pactl set-default-source <sink>.monitor`.
- Windows: PortAudio builds with WASAPI loopback support list each output again as an input
  named "... [Loopback]"; otherwise enable "Stereo Mix" (Sound settings > Recording) or install
  a virtual cable (VB-CABLE: "CABLE Output"). WASAPI loopback delivers nothing while the PC is
  silent, so loopback devices are opened with `stall_timeout_s=None` (silence is filled in).
- macOS: there is no built-in loopback; install a virtual device (BlackHole, Loopback,
  Soundflower) and a Multi-Output Device so you still hear the call.

See docs/audio-loopback.md for step-by-step instructions.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

import numpy as np

from verification.errors import InputError, SourceLost
from verification.sources.audio_normalize import AudioChunker, MonoResampler
from verification.sources.base import AudioChunk, AudioInfo, AudioSource

# Name fragments of devices that carry what the computer plays, per platform, best first.
LOOPBACK_NAMES: dict[str, tuple[str, ...]] = {
    "linux": ("monitor",),
    "win32": ("loopback", "stereo mix", "what u hear", "wave out mix", "cable output"),
    "darwin": ("blackhole", "loopback", "soundflower", "cable output"),
}


@dataclass(frozen=True)
class AudioDeviceInfo:
    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool = False

    @property
    def label(self) -> str:
        return f"audio device '{self.name}'"


def list_audio_devices() -> list[AudioDeviceInfo]:
    sd = _sounddevice()
    apis = [api["name"] for api in sd.query_hostapis()]
    default_in = _default_input_index(sd)
    return [AudioDeviceInfo(index=i, name=str(d["name"]), host_api=apis[d["hostapi"]],
                            max_input_channels=int(d["max_input_channels"]),
                            max_output_channels=int(d["max_output_channels"]),
                            default_samplerate=float(d["default_samplerate"]),
                            is_default_input=i == default_in)
            for i, d in enumerate(sd.query_devices())]


def list_audio_inputs() -> list[AudioDeviceInfo]:
    """Devices that can record (microphones, monitors, loopbacks)."""
    return [d for d in list_audio_devices() if d.max_input_channels > 0]


def find_loopback_device() -> AudioDeviceInfo | None:
    """The device that records what this computer plays, or None (see `loopback_hint`)."""
    return pick_loopback_device(list_audio_inputs(), sys.platform)


def pick_loopback_device(devices: Sequence[AudioDeviceInfo], platform: str) -> AudioDeviceInfo | None:
    """Best loopback candidate among input devices by name; on Windows WASAPI ones first."""
    fragments = LOOPBACK_NAMES.get(_platform_key(platform), ())
    for fragment in fragments:
        matches = [d for d in devices
                   if d.max_input_channels > 0 and fragment in d.name.casefold()]
        if matches:
            # One device shows once per host API on Windows; WASAPI keeps the mixer's format.
            return min(matches, key=lambda d: (not d.host_api.casefold().endswith("wasapi"),
                                               not d.is_default_input, d.index))
    return None


def loopback_hint(platform: str = sys.platform) -> str:
    """One line telling the user how to make system audio recordable on this OS."""
    key = _platform_key(platform)
    if key == "linux":
        return ("no monitor source found: choose the 'pulse' device and set its recording source "
                "to 'Monitor of ...' in pavucontrol (see docs/audio-loopback.md)")
    if key == "win32":
        return ("no loopback device found: enable 'Stereo Mix' in Sound settings > Recording, or "
                "install a virtual cable (see docs/audio-loopback.md)")
    if key == "darwin":
        return ("no loopback device found: install BlackHole and route the call's output to it "
                "through a Multi-Output Device (see docs/audio-loopback.md)")
    return "system audio capture is not supported on this platform; use a microphone"


class AudioDeviceSource(AudioSource):
    live = True

    def __init__(self, device: int | str | AudioDeviceInfo | None = None, chunk_s: float = 0.1,
                 channels: int | None = None, samplerate: float | None = None,
                 block_s: float = 0.02, queue_s: float = 2.0,
                 stall_timeout_s: float | Literal["auto"] | None = "auto") -> None:
        """`device`: index, name (substring, as sounddevice matches), info, or None for the default.

        `stall_timeout_s`: no audio for this long means the device is gone (SourceLost). None
        means silence is normal (WASAPI loopback): missing audio is filled with zeros instead.
        "auto" picks None for Windows loopback devices and 2 s otherwise.
        """
        if not 0.001 <= chunk_s <= 10 or not 0.001 <= block_s <= 1 or queue_s < block_s:
            raise ValueError("chunk_s, block_s and queue_s must be positive and queue_s >= block_s")
        self.device = device
        self.chunk_s, self.block_s = chunk_s, block_s
        self.requested_channels, self.requested_rate = channels, samplerate
        self.stall_timeout_s = stall_timeout_s
        self.dropped_blocks = 0  # read by the UI/metrics: blocks lost because the reader lagged
        self.overflows = 0  # PortAudio's own input overflows (samples lost inside the driver)
        self._queue: deque[tuple[int, float, np.ndarray]] = deque(maxlen=max(1, round(queue_s / block_s)))
        self._cond = threading.Condition()
        self._stream: Any = None
        self._label = "audio device"
        self._rate = 0
        self._captured = 0  # samples delivered (or filled) since open: the media clock
        self._finished = False
        self._closed = False
        self._stall: float | None = None
        self._resampler = MonoResampler()
        self._chunker = AudioChunker(chunk_s)
        self._ready: deque[AudioChunk] = deque()

    @property
    def name(self) -> str:
        return self._label

    def open(self) -> AudioInfo:
        self.close()
        sd = _sounddevice()
        index = self.device.index if isinstance(self.device, AudioDeviceInfo) else self.device
        try:
            info = sd.query_devices(index, "input")
        except (ValueError, sd.PortAudioError) as exc:
            raise InputError(f"audio device {self._describe(index)}: {_one_line(exc)}") from exc
        self._label = f"audio device '{info['name']}'"
        self._rate = int(round(self.requested_rate or float(info["default_samplerate"])))
        channels = self.requested_channels or min(2, int(info["max_input_channels"]))
        self._stall = self._stall_timeout(str(info["name"]))
        self._reset_state()
        try:
            stream = sd.InputStream(device=info["index"], channels=channels, samplerate=self._rate,
                                    dtype="float32", blocksize=max(1, round(self.block_s * self._rate)),
                                    callback=self._on_block, finished_callback=self._on_finished)
            stream.start()
        except sd.PortAudioError as exc:
            raise InputError(f"{self._label}: cannot be opened ({_one_line(exc)})") from exc
        self._stream = stream
        return AudioInfo(sample_rate=self._rate, channels=channels)

    def read(self) -> AudioChunk | None:
        if self._stream is None and not self._closed:
            raise RuntimeError("AudioDeviceSource.read() before open()")
        while not self._ready:
            blocks = self._wait_for_blocks()
            if blocks is None:
                return None
            for offset, captured_at, mono in blocks:
                if not np.isfinite(mono).all():  # broken drivers hand out garbage; keep it out
                    mono = np.nan_to_num(mono, nan=0.0, posinf=0.0, neginf=0.0)
                for pts, samples in self._resampler.push_array(mono, self._rate, offset / self._rate):
                    self._ready.extend(self._chunker.push(pts, samples, captured_at))
        return None if self._closed else self._ready.popleft()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except Exception:  # noqa: BLE001 - a device already gone cannot be closed cleanly
                pass

    # -- PortAudio thread: copy and return, never block ---------------------------------------

    def _on_block(self, indata: np.ndarray, frames: int, _time: Any, status: Any) -> None:
        mono = indata.mean(axis=1) if indata.shape[1] > 1 else indata[:, 0].copy()
        with self._cond:
            if status.input_overflow:
                self.overflows += 1
            if len(self._queue) == self._queue.maxlen:
                self.dropped_blocks += 1  # deque drops the oldest by itself
            self._queue.append((self._captured, time.monotonic(), mono.astype(np.float32, copy=False)))
            self._captured += frames
            self._cond.notify()

    def _on_finished(self) -> None:
        with self._cond:
            self._finished = True
            self._cond.notify_all()

    # -- reader thread --------------------------------------------------------------------------

    def _wait_for_blocks(self) -> list[tuple[int, float, np.ndarray]] | None:
        fill_after = 0.5  # with stall detection off, this much silence is filled in at a time
        waited_since = time.monotonic()
        with self._cond:
            while not self._queue:
                if self._closed:
                    return None
                if self._finished:
                    raise SourceLost(f"{self._label}: audio stream stopped (device removed or "
                                     "reconfigured)")
                waited = time.monotonic() - waited_since
                if self._stall is not None and waited >= self._stall:
                    raise SourceLost(f"{self._label}: no audio for {self._stall:g} s "
                                     "(device removed or stalled)")
                if self._stall is None and waited >= fill_after:
                    n = round(waited * self._rate)
                    block = (self._captured, time.monotonic(), np.zeros(n, dtype=np.float32))
                    self._captured += n
                    return [block]
                limit = self._stall if self._stall is not None else fill_after
                self._cond.wait(timeout=max(0.01, min(0.25, limit - waited)))
            blocks = list(self._queue)
            self._queue.clear()
            return blocks

    def _reset_state(self) -> None:
        with self._cond:
            self._queue.clear()
            self._captured, self._finished, self._closed = 0, False, False
            self.dropped_blocks = self.overflows = 0
        self._resampler, self._chunker = MonoResampler(), AudioChunker(self.chunk_s)
        self._ready.clear()

    def _stall_timeout(self, device_name: str) -> float | None:
        if self.stall_timeout_s != "auto":
            return None if self.stall_timeout_s is None else float(self.stall_timeout_s)
        loopback = sys.platform == "win32" and "loopback" in device_name.casefold()
        return None if loopback else 2.0

    @staticmethod
    def _describe(index: int | str | None) -> str:
        return "(default input)" if index is None else f"'{index}'"


def _sounddevice() -> ModuleType:
    # Imported on use: without the PortAudio library the import itself fails, and the rest of
    # the engine (files, screen, camera) must keep working.
    try:
        import sounddevice
    except OSError as exc:
        raise InputError("audio capture unavailable: PortAudio library not found "
                         "(Linux: install libportaudio2)") from exc
    return sounddevice


def _default_input_index(sd: ModuleType) -> int | None:
    try:
        return int(sd.default.device[0])
    except (TypeError, ValueError, IndexError):
        return None


def _platform_key(platform: str) -> str:
    return "linux" if platform.startswith("linux") else platform


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
