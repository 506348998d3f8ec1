"""Call-channel simulation, applied alike to bona fide and synthetic speech.

A real call passes speech through a room, a microphone, a codec and a network. Training and
evaluating through the same distortions keeps the model from keying on recording conditions
(which differ between corpora) and measures how much compression costs.
"""

from __future__ import annotations

import io

import av
import numpy as np
from scipy.signal import fftconvolve

from voicetrain.audio_io import RATE, resample

#: named conditions evaluated one at a time in the model card
CONDITIONS: tuple[str, ...] = ("clean", "nb8k", "g711", "opus12", "opus16", "opus32", "aac32", "mp3_32",
                               "noise10", "reverb", "loss10", "quiet_clip")

_CODECS = {  # name -> (container, codec, sample rate, bit rate)
    "g711": ("wav", "pcm_mulaw", 8_000, None),
    "aac32": ("adts", "aac", RATE, 32_000),
    "mp3_32": ("mp3", "libmp3lame", RATE, 32_000),
}


def codec_roundtrip(x: np.ndarray, container: str, codec: str, rate: int, bit_rate: int | None) -> np.ndarray:
    """Encode and decode in memory with FFmpeg's encoders (libopus, aac, lame, G.711)."""
    data = resample(x, RATE, rate)
    buf = io.BytesIO()
    with av.open(buf, "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        if bit_rate:
            stream.bit_rate = bit_rate
        ctx = stream.codec_context
        frame_size = ctx.frame_size or 1024
        converter = av.AudioResampler(format=ctx.format.name, layout="mono", rate=rate, frame_size=frame_size)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(data, np.float32).reshape(1, -1),
                                           format="flt", layout="mono")
        frame.sample_rate = rate
        for block in converter.resample(frame) + converter.resample(None):
            for packet in stream.encode(block):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    buf.seek(0)
    decoded: list[np.ndarray] = []
    with av.open(buf, "r") as inp:
        back = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        for frame in inp.decode(audio=0):
            decoded += [f.to_ndarray().reshape(-1) for f in back.resample(frame)]
        decoded += [f.to_ndarray().reshape(-1) for f in back.resample(None)]
    y = np.concatenate(decoded) if decoded else np.zeros(0, np.float32)
    return np.clip(_align(y, x), -1.0, 1.0)  # lossy decoders overshoot; playback clips


def _align(y: np.ndarray, x: np.ndarray, max_lag: int = 4_000) -> np.ndarray:
    """Undo the codec's start-up delay (found by cross-correlation) and keep x's length."""
    n = min(x.size, y.size, 3 * RATE)
    if n > max_lag * 2:
        corr = fftconvolve(y[: n + max_lag], x[:n][::-1], mode="valid")[: max_lag + 1]
        lag = int(np.argmax(corr)) if np.max(corr) > 0 else 0
        y = y[lag:]
    return y[: x.size] if y.size >= x.size else np.pad(y, (0, x.size - y.size))


def opus(x: np.ndarray, kbps: int) -> np.ndarray:
    return codec_roundtrip(x, "ogg", "libopus", RATE, kbps * 1000)


def narrowband(x: np.ndarray) -> np.ndarray:
    return np.clip(resample(resample(x, RATE, 8_000), 8_000, RATE)[: x.size], -1.0, 1.0)


def add_noise(x: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """Coloured noise (white to brown, random slope) at the given SNR over the active signal."""
    spectrum = np.fft.rfft(rng.standard_normal(x.size))
    freqs = np.maximum(np.fft.rfftfreq(x.size, 1 / RATE), 20.0)
    spectrum *= freqs ** (-rng.uniform(0.0, 1.0))
    noise = np.fft.irfft(spectrum, n=x.size)
    p_signal = np.mean(x ** 2) + 1e-12
    noise *= np.sqrt(p_signal / (np.mean(noise ** 2) + 1e-12) / 10 ** (snr_db / 10))
    return (x + noise).astype(np.float32)


def reverb(x: np.ndarray, rng: np.random.Generator, rt60: float | None = None) -> np.ndarray:
    """Synthetic room: exponentially decaying noise tail after a direct path."""
    rt60 = rng.uniform(0.2, 0.8) if rt60 is None else rt60
    n = int(rt60 * RATE)
    t = np.arange(n) / RATE
    rir = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)
    rir[: int(0.002 * RATE)] = 0.0
    rir[0] = rng.uniform(2.0, 6.0) * np.sqrt(np.sum(rir ** 2))  # direct-to-reverberant ratio
    y = fftconvolve(x, rir)[: x.size]
    return (y * np.sqrt(np.sum(x ** 2) / (np.sum(y ** 2) + 1e-12))).astype(np.float32)


def packet_loss(x: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """20 ms packets lost in short bursts; half the time concealed by repeating the last packet."""
    y = x.copy()
    size = RATE // 50
    lost_prev = False
    repeat = rng.random() < 0.5
    for start in range(size, x.size - size, size):
        p = 0.5 if lost_prev else rate / 2
        lost_prev = rng.random() < p
        if lost_prev:
            y[start:start + size] = y[start - size:start] * 0.7 if repeat else 0.0
    return y


def set_level(x: np.ndarray, gain_db: float) -> np.ndarray:
    peak = float(np.max(np.abs(x))) + 1e-9
    y = np.clip(x / peak * 10 ** (gain_db / 20), -1.0, 1.0)
    return (np.round(y * 32767) / 32767).astype(np.float32)  # 16-bit quantisation as in capture


def apply_condition(x: np.ndarray, name: str, rng: np.random.Generator) -> np.ndarray:
    base = set_level(x, -6.0)
    if name == "clean":
        return base
    if name == "nb8k":
        return narrowband(base)
    if name.startswith("opus"):
        return opus(base, int(name[4:]))
    if name in _CODECS:
        return codec_roundtrip(base, *_CODECS[name])
    if name == "noise10":
        return set_level(add_noise(base, 10.0, rng), -6.0)
    if name == "reverb":
        return set_level(reverb(base, rng, 0.5), -6.0)
    if name == "loss10":
        return packet_loss(base, 0.10, rng)
    if name == "quiet_clip":
        return set_level(x, -35.0) if rng.random() < 0.5 else set_level(x, 8.0)
    raise ValueError(f"unknown channel condition {name!r}")


def random_chain(x: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """One random call path: room, noise, level, codec, network; returns audio and a label."""
    steps: list[str] = []
    y = x
    if rng.random() < 0.25:
        y = reverb(y, rng)
        steps.append("reverb")
    if rng.random() < 0.5:  # calls are rarely quiet; noise lowers the phase coherence of both classes
        y = add_noise(y, rng.uniform(5.0, 30.0), rng)
        steps.append("noise")
    y = set_level(y, rng.uniform(-30.0, 3.0) if rng.random() < 0.85 else rng.uniform(3.0, 10.0))
    pick = rng.random()
    if pick < 0.25:
        pass
    elif pick < 0.35:
        y, _ = narrowband(y), steps.append("nb8k")
    elif pick < 0.45:
        y, _ = codec_roundtrip(y, *_CODECS["g711"]), steps.append("g711")
    elif pick < 0.75:
        kbps = int(rng.choice([12, 16, 20, 24, 32]))
        y, _ = opus(y, kbps), steps.append(f"opus{kbps}")
    elif pick < 0.85:
        y, _ = codec_roundtrip(y, *_CODECS["aac32"]), steps.append("aac")
    else:
        y, _ = codec_roundtrip(y, "mp3", "libmp3lame", RATE, int(rng.choice([24_000, 32_000, 48_000]))), \
            steps.append("mp3")
    if rng.random() < 0.15:
        y = packet_loss(y, rng.uniform(0.02, 0.15), rng)
        steps.append("loss")
    return np.clip(y, -1.0, 1.0).astype(np.float32), "+".join(steps) or "clean"
