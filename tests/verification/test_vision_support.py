"""Shared helpers for the vision tests (no tests here): real data, real models, synthetic grids.

Models come from the real model directory through the project's ModelLoader; when they are not
fetched, model tests skip with the command that fixes it. Pure-maths tests never call these.
"""

from __future__ import annotations

import csv
import functools
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from verification.vision.pipeline import FacePipeline, FacePipelineOptions, create_face_pipeline

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
FACE_MODEL_IDS = ("retinaface", "face_mesh", "iris")


def data_or_skip(*parts: str) -> Path:
    path = DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared test data not found: {path}")
    return path


@functools.cache
def _loader_or_reason() -> object:
    from verification.errors import CallShieldError
    from verification.inference.loader import ModelLoader
    from verification.inference.manifest import load_manifest
    from verification.inference.model_dir import resolve_model_dir

    model_dir = resolve_model_dir(None, os.environ)
    try:
        loader = ModelLoader(load_manifest(), model_dir, threads=2)
        for model_id in FACE_MODEL_IDS:
            loader.load(model_id)
    except CallShieldError as exc:
        return f"face models not available in {model_dir} ({exc}); run `callshield models fetch`"
    return loader


def face_loader() -> object:
    loader = _loader_or_reason()
    if isinstance(loader, str):
        pytest.skip(loader)
    return loader


def new_pipeline(**options: object) -> FacePipeline:
    return create_face_pipeline(face_loader(), FacePipelineOptions(**options))  # type: ignore[arg-type]


@dataclass(frozen=True)
class LabelledFace:
    path: Path
    box: np.ndarray  # x0, y0, x1, y1
    landmarks5: np.ndarray  # (5, 2)


def labelled_faces(subset: str) -> list[LabelledFace]:
    table = data_or_skip("faces", "face_landmarks.csv")
    out = []
    with table.open(newline="") as f:
        for row in csv.DictReader(f):
            if not row["path"].startswith(f"faces/{subset}/"):
                continue
            x, y, w, h = (float(v) for v in row["face_box_xywh"].split())
            pts = np.array([float(v) for v in row["landmarks5_xy"].split()]).reshape(5, 2)
            out.append(LabelledFace(DATA / row["path"], np.array([x, y, x + w, y + h]), pts))
    return out


def read_bgr(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert image is not None, path
    return image


def grid_frame(
    faces: list[np.ndarray],
    rows: int,
    cols: int,
    size: tuple[int, int] = (1280, 720),
    face_frac: float = 0.9,
    offsets: np.ndarray | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """A call-app-like grid: one face crop per tile, centred, on a dark background.

    Returns the frame and each tile's rectangle (x0, y0, x1, y1). `offsets` (n, 2) px shift each
    face inside its tile (head motion between frames).
    """
    w, h = size
    canvas = np.full((h, w, 3), 32, np.uint8)
    tw, th = w // cols, h // rows
    side = int(min(tw, th) * face_frac)
    tiles = []
    for k, face in enumerate(faces):
        r, c = divmod(k, cols)
        dx, dy = (0, 0) if offsets is None else (int(offsets[k][0]), int(offsets[k][1]))
        x0 = c * tw + (tw - side) // 2 + dx
        y0 = r * th + (th - side) // 2 + dy
        canvas[y0 : y0 + side, x0 : x0 + side] = cv2.resize(face, (side, side), interpolation=cv2.INTER_AREA)
        tiles.append(np.array([c * tw, r * th, (c + 1) * tw, (r + 1) * th], dtype=np.float32))
    return canvas, tiles
