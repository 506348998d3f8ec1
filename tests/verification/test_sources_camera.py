"""CameraSource through a real cv2.VideoCapture (a recording stands in for the camera device)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.media import write_clip
from verification.errors import InputError, SourceLost
from verification.sources import CameraSource, list_cameras


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return write_clip(tmp_path / "camera_feed.mp4", seconds=0.6, fps=25, size=(160, 120), audio=False)


def test_frames_flow_then_source_lost_when_the_feed_stops(clip: Path) -> None:
    camera = CameraSource(str(clip), max_failures=3, retry_delay_s=0.001)
    assert camera.live
    info = camera.open()
    frames = []
    with pytest.raises(SourceLost) as err:
        while True:
            frames.append(camera.read())
    camera.close()
    assert (info.width, info.height) == (160, 120)
    assert len(frames) == 15
    assert [f.seq for f in frames] == list(range(15))
    assert all(b.pts >= a.pts for a, b in zip(frames, frames[1:]))
    assert frames[0].image.shape == (120, 160, 3) and frames[0].image.dtype == np.uint8
    assert str(err.value) == (f"camera {clip}: stopped delivering frames "
                              "(unplugged, or taken over by another application)")


def test_unplugged_after_it_worked(clip: Path) -> None:
    camera = CameraSource(str(clip), max_failures=2, retry_delay_s=0.001)
    camera.open()
    camera.read()
    camera.read()
    camera._capture.release()  # what the driver does to the handle when the device goes away
    with pytest.raises(SourceLost, match="stopped delivering frames") as err:
        camera.read()
    assert "\n" not in str(err.value)
    camera.close()


def test_downscale(clip: Path) -> None:
    camera = CameraSource(str(clip), max_side=80)
    info = camera.open()
    frame = camera.read()
    camera.close()
    assert (info.width, info.height) == (80, 60)
    assert frame.image.shape == (60, 80, 3)


def test_unopenable_devices_are_input_errors(tmp_path: Path) -> None:
    for device in (str(tmp_path / "no_such_camera.mp4"), 97):
        with pytest.raises(InputError) as err:
            CameraSource(device, warmup_s=0.1).open()
        assert str(err.value).startswith(f"camera {device}: cannot be opened")
        assert "\n" not in str(err.value)


def test_list_cameras_is_best_effort() -> None:
    cameras = list_cameras(max_index=2)
    assert isinstance(cameras, list)
    assert all(c.name for c in cameras)
