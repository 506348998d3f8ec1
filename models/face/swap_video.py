"""Swapped-face video for evaluation and calibration (never for training): decode a clip, replace
every frame's inner face with a self-made swap (swaps.py), write it back near-losslessly."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from face_meshes import largest_mesh, mesh_of
from swaps import lowres_swap, warp_swap

RATE = 16_000
KINDS = ("lowres", "warp")


def decode(path: Path) -> tuple[list[np.ndarray], np.ndarray, Fraction]:
    """BGR frames, 16 kHz mono float audio and the frame rate of one clip."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate = stream.average_rate or Fraction(25)
        frames = [f.to_ndarray(format="bgr24") for f in container.decode(stream)]
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        blocks = [r.to_ndarray().ravel() for frame in container.decode(audio=0) for r in resampler.resample(frame)]
    return frames, np.concatenate(blocks).astype(np.float32), rate


def donor_face(pipeline, folder: Path) -> tuple[np.ndarray, np.ndarray]:
    for path in sorted(folder.glob("*.jpg")):
        image = cv2.imread(str(path))
        pipeline.reset()
        mesh = mesh_of(pipeline, image)
        if mesh is not None:
            return image, mesh
    raise ValueError(f"no usable donor face under {folder}")


def swapped(frames: list[np.ndarray], pipeline, kind: str, donor: tuple[np.ndarray, np.ndarray] | None) -> list[np.ndarray]:
    out = []
    pipeline.reset()
    for k, frame in enumerate(frames):
        mesh = largest_mesh(pipeline, frame, k / 25.0)
        if mesh is None:
            out.append(frame)
        elif kind == "lowres":
            out.append(lowres_swap(frame, mesh))
        else:
            out.append(warp_swap(donor[0], donor[1], frame, mesh))
    return out


def write(path: Path, frames: list[np.ndarray], audio: np.ndarray, rate: Fraction) -> None:
    """Near-lossless H.264 and PCM audio, so what is measured is the swap, not the encoder."""
    h, w = frames[0].shape[:2]
    with av.open(str(path), "w", format="matroska") as container:
        video = container.add_stream("libx264", rate=rate)
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        video.options = {"crf": "16", "preset": "veryfast"}
        sound = container.add_stream("pcm_s16le", rate=RATE, layout="mono")
        for frame in frames:
            container.mux(video.encode(av.VideoFrame.from_ndarray(frame, format="bgr24")))
        container.mux(video.encode())
        pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)[None]
        block = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        block.sample_rate = RATE
        container.mux(sound.encode(block))
        container.mux(sound.encode())


def join_clips(clips: list[Path], swap_from: int, pipeline, kind: str,
               donor: tuple[np.ndarray, np.ndarray] | None) -> tuple[list[np.ndarray], np.ndarray, Fraction, float]:
    """Clips joined end to end, those from index `swap_from` on swapped: frames, audio, frame rate
    and the media time of the first swapped frame."""
    frames: list[np.ndarray] = []
    audio: list[np.ndarray] = []
    swap_start, rate = float("inf"), Fraction(25)
    for j, clip in enumerate(clips):
        clip_frames, clip_audio, rate = decode(clip)
        n = min(len(clip_frames), int(len(clip_audio) / RATE * float(rate)))  # keep both in step
        clip_frames, clip_audio = clip_frames[:n], clip_audio[: int(n / float(rate) * RATE)]
        if j == swap_from:
            swap_start = len(frames) / float(rate)
        if j >= swap_from:
            clip_frames = swapped(clip_frames, pipeline, kind, donor)
        frames += clip_frames
        audio.append(clip_audio)
    return frames, np.concatenate(audio), rate, swap_start
