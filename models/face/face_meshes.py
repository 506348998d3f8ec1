"""468-point face meshes of the shared face crops, from the project's face pipeline, cached.

Training (self-warp and cross-identity blends need each face's mesh) and validation use the same
meshes. The cache is a .npz in the user cache folder (never the repository), keyed by the crop's
path inside the data folder, so a cache copied to another machine still matches; a face the
pipeline does not find is stored as NaN and returned as None.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from platformdirs import user_cache_dir

from face_data import DATA

CACHE = Path(os.environ.get("CALLSHIELD_FACE_MESH_CACHE")
             or Path(user_cache_dir("callshield", appauthor=False)) / "face-meshes.npz")


def largest_mesh(pipeline, image: np.ndarray, t: float) -> np.ndarray | None:
    """Mesh of the widest face the pipeline finds in one frame, or None."""
    faces = [f for f in pipeline.process(image, t) if f.mesh is not None]
    return max(faces, key=lambda f: float(f.box[2] - f.box[0])).mesh if faces else None


def mesh_of(pipeline, image: np.ndarray) -> np.ndarray | None:
    """A still photo's mesh: a second pass places the mesh ROI from the first pass's mesh."""
    first = largest_mesh(pipeline, image, 0.0)
    second = largest_mesh(pipeline, image, 0.04)
    return second if second is not None else first


def cache_key(path: Path) -> str:
    """The crop's path inside the data folder ("faces/..."), or the whole path outside it."""
    try:
        return path.relative_to(DATA).as_posix()
    except ValueError:
        return str(path)


def meshes_for(paths: list[Path], images: list[np.ndarray]) -> list[np.ndarray | None]:
    """Mesh (468, 3) per image in crop pixels, or None; computed once, then read from CACHE."""
    cached: dict[str, np.ndarray] = {}
    if CACHE.is_file():
        with np.load(CACHE) as data:
            cached = {k: data[k] for k in data.files}
    moved = 0
    for p in paths:  # caches written before the keys were relative
        if cache_key(p) not in cached and str(p) in cached:
            cached[cache_key(p)] = cached.pop(str(p))
            moved += 1
    missing = [k for k, p in enumerate(paths) if cache_key(p) not in cached]
    if missing:
        from verification.composition import build_model_loader
        from verification.vision.pipeline import FacePipelineOptions, create_face_pipeline

        loader = build_model_loader(None)
        for k in missing:
            pipe = create_face_pipeline(loader, FacePipelineOptions(detect_every=1, with_iris=False))
            mesh = mesh_of(pipe, images[k])
            cached[cache_key(paths[k])] = np.full((468, 3), np.nan, np.float32) if mesh is None else mesh.astype(np.float32)
    if missing or moved:
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        tmp = CACHE.with_suffix(".tmp.npz")
        np.savez(tmp, **cached)
        tmp.replace(CACHE)
    out = []
    for p in paths:
        m = cached[cache_key(p)]
        out.append(None if not np.isfinite(m).all() else m)
    return out
