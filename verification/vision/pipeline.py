"""FacePipeline: follow faces with the mesh, detect only to find faces or to re-find one, add pose.

Per frame: (1) on detection frames RetinaFace runs on a downscaled copy and its faces are matched
to tracks; (2) the mesh runs, batched, on every locked track, which both measures the face and
places it for the next frame; (3) head pose (and iris points, for a consumer that asks for them)
follow from the mesh. Detection runs when a track's mesh loses the face or grows unsure of it
(the next frame), while no face is tracked or one is lost (every `search_every` frames), and otherwise only every
`detect_every` frames to find faces that join. A track unconfirmed for `max_missing` frames
ends, and its id is reported in `ended_track_ids`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import onnxruntime as ort

from verification.vision.detector import DetectorOptions, FaceDetector
from verification.vision.head_pose import head_pose_from_mesh
from verification.vision.iris import IrisLandmarks
from verification.vision.mesh import FaceMesh, box_from_roi, landmarks5_from_mesh, roi_from_detection, roi_from_mesh
from verification.vision.nms import iou_matrix
from verification.vision.tracker import FaceTracker, Track, TrackerOptions
from verification.vision.types import FaceDetection, FaceObservation


@dataclass(frozen=True, slots=True)
class FacePipelineOptions:
    # Frames between detections while every face is tracked by the mesh: how soon a face that
    # joins is found (2 s on the 15 fps grid). Without the mesh: between all detections.
    detect_every: int = 30
    search_every: int = 5  # frames between detections while no face is tracked or one is lost
    redetect_below: float = 0.9  # mesh face confidence under which the next frame re-detects
    detect_max_side: int = 640  # longer side of the detector input, px
    with_mesh: bool = True
    # Iris points cost a second model run per face (about twice the mesh) and no shipped
    # detector reads them: only for a consumer that does. Ignored without the mesh.
    with_iris: bool = False
    with_head_pose: bool = True  # ignored without the mesh
    min_face_px: float = 24.0  # smallest face box (longer side, frame px) that is reported
    score_threshold: float = 0.7  # detector confidence
    max_missing: int = 12  # processed frames a face may go unseen before its track ends
    # A mesh-tracked ROI is kept on a detection frame when it still overlaps the detection this
    # much: the mesh ROI jitters less than one rebuilt from the detector's 5 points.
    keep_roi_iou: float = 0.5

    def __post_init__(self) -> None:
        if self.detect_every < 1 or self.search_every < 1:
            raise ValueError("detect_every and search_every must be at least 1")
        if self.max_missing < 0:
            raise ValueError("max_missing must be at least 0")


@dataclass(frozen=True, slots=True)
class PipelineStats:
    frames: int
    detect_frames: int
    faces: int  # observations returned, summed over frames
    total_s: float  # wall time inside process()
    onnx_s: float  # of which inside onnxruntime session.run()

    @property
    def ms_per_frame(self) -> float:
        return 1000.0 * self.total_s / self.frames if self.frames else 0.0

    @property
    def ms_per_face(self) -> float:
        return 1000.0 * self.total_s / self.faces if self.faces else 0.0

    @property
    def overhead_ratio(self) -> float:
        """Pipeline time / pure model time: how much the Python around the models costs."""
        return self.total_s / self.onnx_s if self.onnx_s > 0 else float("nan")


class FacePipeline:
    """Takes ready onnxruntime sessions (the caller owns model loading and providers)."""

    def __init__(
        self,
        detector_session: ort.InferenceSession,
        mesh_session: ort.InferenceSession | None = None,
        iris_session: ort.InferenceSession | None = None,
        options: FacePipelineOptions | None = None,
    ) -> None:
        self.options = options or FacePipelineOptions()
        o = self.options
        if o.with_mesh and mesh_session is None:
            raise ValueError("with_mesh=True needs the face mesh session")
        if o.with_mesh and o.with_iris and iris_session is None:
            raise ValueError("with_iris=True needs the iris session")
        self.detector = FaceDetector(
            detector_session,
            DetectorOptions(max_side=o.detect_max_side, score_threshold=o.score_threshold, min_face_px=o.min_face_px),
        )
        self.mesh = FaceMesh(mesh_session) if o.with_mesh and mesh_session is not None else None
        self.iris = (
            IrisLandmarks(iris_session) if self.mesh is not None and o.with_iris and iris_session is not None else None
        )
        self.tracker = FaceTracker(TrackerOptions(max_missing=o.max_missing))
        self.ended_track_ids: tuple[int, ...] = ()  # tracks that ended during the last process()
        self._frame = 0
        self._last_detect = -(10**9)
        self._force_detect = False
        self._stat_frames = 0
        self._total_s = 0.0
        self._faces = 0
        self._detect_frames = 0

    # -- public API -------------------------------------------------------------------------

    def process(self, image_bgr: np.ndarray, pts: float) -> list[FaceObservation]:
        """Faces in one HxWx3 uint8 BGR frame; call once per frame, in order.

        Returns one observation per face seen on this frame; ids of tracks that ended on it are
        in `ended_track_ids` afterwards.
        """
        t0 = time.perf_counter()
        if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.dtype != np.uint8:
            raise ValueError(f"expected an HxWx3 uint8 BGR image, got {image_bgr.shape} {image_bgr.dtype}")
        image_bgr = np.ascontiguousarray(image_bgr)  # OpenCV needs it; a no-op for decoded frames
        frame = self._frame
        o = self.options
        every = o.detect_every
        tracks = self.tracker.tracks
        if self.mesh is not None and (not tracks or any(tr.roi is None for tr in tracks)):
            every = min(every, o.search_every)  # nobody tracked, or a face lost: look more often
        detect = self._force_detect or frame - self._last_detect >= every
        detected_ids: set[int] = set()
        if detect:
            detected_ids = self._detect(image_bgr, frame)
        meshes: dict[int, np.ndarray] = {}
        if self.mesh is not None:
            locked = [tr for tr in self.tracker.tracks if tr.roi is not None]
            meshes = self._update_with_mesh(image_bgr, locked, frame, detected_ids)
        ended = self.tracker.remove_duplicates(frame) + self.tracker.expire(frame)
        # Reported: faces confirmed on this frame; without the mesh, faces carried from the
        # last detection until the next one.
        shown = frame if self.mesh is not None else self._last_detect
        seen = [tr for tr in self.tracker.tracks if tr.last_confirmed == shown]
        observations = self._observe(image_bgr, seen, meshes, detected_ids, pts)
        self.ended_track_ids = tuple(ended)
        self._frame += 1
        self._stat_frames += 1
        self._faces += len(observations)
        self._total_s += time.perf_counter() - t0
        return observations

    def reset(self) -> None:
        """Forget all tracks (e.g. a new call or a seek); ids keep increasing, never reused."""
        self.ended_track_ids = tuple(self.tracker.reset())
        self._last_detect = -(10**9)
        self._force_detect = False

    @property
    def stats(self) -> PipelineStats:
        onnx = self.detector.runner.seconds
        onnx += self.mesh.runner.seconds if self.mesh is not None else 0.0
        onnx += self.iris.runner.seconds if self.iris is not None else 0.0
        return PipelineStats(self._stat_frames, self._detect_frames, self._faces, self._total_s, onnx)

    def reset_stats(self) -> None:
        self._stat_frames = 0
        self._total_s = 0.0
        self._faces = 0
        self._detect_frames = 0
        for runner in (self.detector.runner, getattr(self.mesh, "runner", None), getattr(self.iris, "runner", None)):
            if runner is not None:
                runner.reset_counters()

    # -- steps --------------------------------------------------------------------------------

    def _detect(self, image: np.ndarray, frame: int) -> set[int]:
        dets = self.detector.detect(image)
        self._last_detect = frame
        self._force_detect = False
        self._detect_frames += 1
        pairs, fresh = self.tracker.match(np.stack([d.box for d in dets]) if dets else np.zeros((0, 4)))
        ids: set[int] = set()
        for track, j in pairs:
            self._confirm_by_detection(track, dets[j], frame)
            ids.add(track.track_id)
        for j in fresh:
            d = dets[j]
            track = self.tracker.start(d.box, d.landmarks5, d.score, frame)
            track.roi = roi_from_detection(d.box, d.landmarks5) if self.mesh is not None else None
            ids.add(track.track_id)
        return ids

    def _confirm_by_detection(self, track: Track, det: FaceDetection, frame: int) -> None:
        if self.mesh is not None:
            keep = (
                track.roi is not None
                and iou_matrix(box_from_roi(track.roi), det.box)[0, 0] >= self.options.keep_roi_iou
            )
            if not keep:
                track.roi = roi_from_detection(det.box, det.landmarks5)
        track.box, track.landmarks5, track.score = det.box, det.landmarks5, det.score
        track.last_confirmed = frame

    def _update_with_mesh(
        self, image: np.ndarray, tracks: list[Track], frame: int, detected_ids: set[int]
    ) -> dict[int, np.ndarray]:
        assert self.mesh is not None
        meshes: dict[int, np.ndarray] = {}
        if not tracks:
            return meshes
        pts, presence = self.mesh.predict(image, [tr.roi for tr in tracks if tr.roi is not None])
        for tr, mesh, p in zip(tracks, pts, presence):
            if p < self.mesh.presence_threshold:
                # Lost: on a detection frame the detector's box stands; otherwise wait for one.
                tr.roi = roi_from_detection(tr.box, tr.landmarks5) if tr.track_id in detected_ids else None
                if tr.track_id not in detected_ids:
                    self._force_detect = True
                continue
            if p < self.options.redetect_below and tr.track_id not in detected_ids:
                self._force_detect = True  # drifting: re-anchor on a detection next frame
            meshes[tr.track_id] = mesh
            tr.roi = roi_from_mesh(mesh)
            if tr.track_id not in detected_ids:
                tr.box = box_from_roi(tr.roi)
                tr.landmarks5 = landmarks5_from_mesh(mesh)
                tr.score = float(p)
            tr.last_confirmed = frame
        return meshes

    def _observe(
        self,
        image: np.ndarray,
        tracks: list[Track],
        meshes: dict[int, np.ndarray],
        detected_ids: set[int],
        pts: float,
    ) -> list[FaceObservation]:
        with_mesh = [tr.track_id for tr in tracks if tr.track_id in meshes]
        irises: dict[int, np.ndarray] = {}
        if self.iris is not None and with_mesh:
            found = self.iris.predict(image, np.stack([meshes[i] for i in with_mesh]))
            irises = dict(zip(with_mesh, found))
        observations = []
        for tr in tracks:
            mesh = meshes.get(tr.track_id)
            pose = head_pose_from_mesh(mesh) if mesh is not None and self.options.with_head_pose else None
            observations.append(
                FaceObservation(
                    track_id=tr.track_id,
                    box=tr.box,
                    score=tr.score,
                    landmarks5=tr.landmarks5,
                    mesh=mesh,
                    iris=irises.get(tr.track_id),
                    head_pose=pose,
                    detected=tr.track_id in detected_ids,
                    pts=pts,
                )
            )
        return observations


# -- the one link to model loading --------------------------------------------------------------

# Model ids in models/manifest.toml.
DETECTOR_MODEL_ID = "retinaface"
MESH_MODEL_ID = "face_mesh"
IRIS_MODEL_ID = "iris"


class _LoadedModel(Protocol):
    @property
    def session(self) -> ort.InferenceSession: ...


class ModelSource(Protocol):
    """What the factory needs from `verification.inference` (its ModelLoader fits)."""

    def load(self, model_id: str) -> _LoadedModel: ...


def create_face_pipeline(loader: ModelSource, options: FacePipelineOptions | None = None) -> FacePipeline:
    """A ready pipeline; loads only the models the options use (no mesh: no iris model either)."""
    options = options or FacePipelineOptions()
    mesh = loader.load(MESH_MODEL_ID).session if options.with_mesh else None
    iris = loader.load(IRIS_MODEL_ID).session if options.with_mesh and options.with_iris else None
    return FacePipeline(loader.load(DETECTOR_MODEL_ID).session, mesh, iris, options)
