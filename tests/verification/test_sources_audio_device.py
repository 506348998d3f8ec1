"""Audio devices: loopback choice by name per OS, resampling/chunking with gaps, and a real
device when the machine has one (skips without PortAudio or without any input)."""

from __future__ import annotations

import numpy as np
import pytest

from verification.errors import InputError
from verification.sources import (
    INTERNAL_SAMPLE_RATE,
    AudioDeviceInfo,
    AudioDeviceSource,
    list_audio_inputs,
    loopback_hint,
    pick_loopback_device,
)
from verification.sources.audio_normalize import AudioChunker, MonoResampler


def _dev(index: int, name: str, api: str = "ALSA", inputs: int = 2, outputs: int = 0,
         default: bool = False) -> AudioDeviceInfo:
    return AudioDeviceInfo(index=index, name=name, host_api=api, max_input_channels=inputs,
                           max_output_channels=outputs, default_samplerate=48_000.0,
                           is_default_input=default)


# -- choosing the loopback device ------------------------------------------------------------

def test_linux_picks_a_monitor_source() -> None:
    devices = [_dev(0, "HDA Intel PCH: ALC257 Analog (hw:0,0)", default=True),
               _dev(1, "Monitor of Built-in Audio Analog Stereo", api="PulseAudio"),
               _dev(2, "pulse")]
    assert pick_loopback_device(devices, "linux").index == 1
    assert pick_loopback_device(devices[::2], "linux") is None  # only "pulse": user must route it


def test_windows_prefers_wasapi_loopback_then_stereo_mix_then_cable() -> None:
    devices = [_dev(0, "Microphone (Realtek Audio)", api="MME", default=True),
               _dev(1, "Speakers (Realtek Audio) [Loopback]", api="Windows DirectSound"),
               _dev(2, "Speakers (Realtek Audio) [Loopback]", api="Windows WASAPI"),
               _dev(3, "Stereo Mix (Realtek Audio)", api="Windows WASAPI"),
               _dev(4, "CABLE Output (VB-Audio Virtual Cable)", api="Windows WASAPI")]
    assert pick_loopback_device(devices, "win32").index == 2
    assert pick_loopback_device(devices[3:], "win32").index == 3
    assert pick_loopback_device(devices[4:], "win32").index == 4
    assert pick_loopback_device(devices[:1], "win32") is None


def test_macos_picks_a_virtual_device_with_inputs() -> None:
    devices = [_dev(0, "MacBook Pro Microphone", api="Core Audio", inputs=1, default=True),
               _dev(1, "BlackHole 2ch", api="Core Audio", inputs=0, outputs=2),  # output side only
               _dev(2, "BlackHole 16ch", api="Core Audio", inputs=16, outputs=16)]
    assert pick_loopback_device(devices, "darwin").index == 2


def test_output_only_devices_are_never_chosen() -> None:
    speakers = [_dev(0, "Monitor of Speakers", inputs=0, outputs=2)]
    assert pick_loopback_device(speakers, "linux") is None


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin", "freebsd"])
def test_loopback_hint_is_one_line(platform: str) -> None:
    hint = loopback_hint(platform)
    assert hint and "\n" not in hint


# -- resampling and chunking (pure) ------------------------------------------------------------

def test_resampler_mixes_to_mono_without_clipping() -> None:
    resampler = MonoResampler()
    stereo = np.full((4800, 2), 0.9, dtype=np.float32)  # full-scale-ish, both channels equal
    blocks = []
    for k in range(10):
        blocks += resampler.push_array(stereo, 48_000, pts=k * 0.1)
    blocks += resampler.flush()
    samples = np.concatenate([b for _, b in blocks])
    assert samples.size == pytest.approx(INTERNAL_SAMPLE_RATE, abs=32)  # 1 s in, 1 s out
    assert float(samples[1000:-1000].max()) == pytest.approx(0.9, abs=1e-3)  # averaged, not summed
    assert blocks[0][0] == 0.0
    for (pts_a, a), (pts_b, _) in zip(blocks, blocks[1:]):
        assert pts_b == pytest.approx(pts_a + a.size / INTERNAL_SAMPLE_RATE)


def test_resampler_restarts_after_a_hole() -> None:
    resampler = MonoResampler()
    block = np.zeros(4410, dtype=np.float32)  # 0.1 s at 44.1 kHz
    blocks = resampler.push_array(block, 44_100, pts=0.0)
    blocks += resampler.push_array(block, 44_100, pts=1.0)  # 0.9 s of audio never arrived
    blocks += resampler.flush()
    before = [(pts, b) for pts, b in blocks if pts < 0.5]
    after = [(pts, b) for pts, b in blocks if pts >= 0.5]
    assert before[0][0] == 0.0 and after[0][0] == 1.0  # later audio keeps its true time
    for run in (before, after):
        assert sum(b.size for _, b in run) == pytest.approx(1600, abs=32)


def test_chunker_cuts_fixed_chunks_and_splits_at_gaps() -> None:
    chunker = AudioChunker(chunk_s=0.1)
    ones = np.ones(800, dtype=np.float32)  # 50 ms blocks
    chunks = []
    for k in range(5):
        chunks += chunker.push(k * 0.05, ones, captured_at=float(k))
    chunks += chunker.push(1.0, ones)  # hole from 0.25 s to 1.0 s
    chunks += chunker.push(1.05, ones)
    last = chunker.flush()
    assert [c.pts for c in chunks] == pytest.approx([0.0, 0.1, 0.2, 1.0])
    assert [c.samples.size for c in chunks] == [1600, 1600, 800, 1600]  # the chunk before the hole is short
    assert [c.seq for c in chunks] == [0, 1, 2, 3]
    assert chunks[1].captured_at == 3.0  # when its newest samples arrived
    assert last is None


# -- a real device -----------------------------------------------------------------------------

def _inputs_or_skip() -> list[AudioDeviceInfo]:
    try:
        inputs = list_audio_inputs()
    except InputError as exc:  # no PortAudio library on this machine
        assert "\n" not in str(exc) and "PortAudio" in str(exc)
        pytest.skip(str(exc))
    if not inputs:
        pytest.skip("no audio input device")
    return inputs


def test_without_portaudio_the_error_is_one_line() -> None:
    try:
        import sounddevice  # noqa: F401
    except OSError:
        with pytest.raises(InputError, match="PortAudio library not found"):
            AudioDeviceSource().open()
    else:
        pytest.skip("PortAudio is installed here")


def test_real_input_device_delivers_16k_mono_chunks() -> None:
    inputs = _inputs_or_skip()
    device = next((d for d in inputs if d.is_default_input), inputs[0])
    source = AudioDeviceSource(device, chunk_s=0.05)
    assert source.live
    info = source.open()
    try:
        chunks = [source.read() for _ in range(4)]
    finally:
        source.close()
    assert info.sample_rate > 0 and info.channels >= 1
    assert all(c is not None and c.samples.dtype == np.float32 for c in chunks)
    assert all(c.samples.ndim == 1 and 0 < c.samples.size <= 800 for c in chunks)
    assert all(b.pts > a.pts for a, b in zip(chunks, chunks[1:]))
    assert source.read() is None  # closed
