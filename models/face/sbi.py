"""Self-blended images (Shiohara & Yamasaki, CVPR 2022): a real face blended with an altered copy
of itself makes the boundary, colour and resolution traces of a swap with no fake data at all.

`self_blend` works on the full 256 px photo (where a swap tool would paste), then `degrade`
applies call-like quality loss to the whole picture, so the network cannot learn "blurry = fake".
"""

from __future__ import annotations

import cv2
import numpy as np


def altered_copy(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The "source face": colour, sharpness or resolution changed, shifted by a few pixels."""
    out = img.astype(np.float32)
    if rng.random() < 0.8:  # colour/brightness mismatch between swapped face and target
        out = out * rng.uniform(0.94, 1.06, size=3) + rng.uniform(-8, 8, size=3)
    k = rng.random()
    if k < 0.35:  # soft inner face: swap models render at 128-256 px
        f = rng.uniform(0.2, 0.6)
        h, w = img.shape[:2]
        small = cv2.resize(out, (max(int(w * f), 8), max(int(h * f), 8)), interpolation=cv2.INTER_AREA)
        out = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    elif k < 0.55:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.8, 2.0))
    elif k < 0.7:  # over-sharpened render
        blur = cv2.GaussianBlur(out, (0, 0), 1.5)
        out = out + rng.uniform(0.5, 1.5) * (out - blur)
    h, w = img.shape[:2]
    s = rng.uniform(0.96, 1.04)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-2, 2), s)
    m[:, 2] += rng.uniform(-3, 3, size=2)
    out = cv2.warpAffine(out, m, (w, h), borderMode=cv2.BORDER_REFLECT)
    return np.clip(out, 0, 255)


def blend_mask(shape: tuple[int, int], lm: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Soft face-shaped mask from the 5 landmarks: a jittered, deformed, blurred ellipse."""
    h, w = shape
    eyes = lm[1] - lm[0]
    d = float(np.hypot(*eyes))
    centre = lm.mean(axis=0) + np.array([0.0, rng.uniform(-0.1, 0.35) * d])
    axes = (int(d * rng.uniform(0.85, 1.35)), int(d * rng.uniform(1.1, 1.75)))
    angle = float(np.degrees(np.arctan2(eyes[1], eyes[0])))
    mask = np.zeros((h, w), np.float32)
    cv2.ellipse(mask, (int(centre[0]), int(centre[1])), axes, angle, 0, 360, 1.0, -1)
    # Elastic deformation: a smooth random displacement field bends the outline.
    coarse = rng.normal(0, 1, (6, 6, 2)).astype(np.float32) * rng.uniform(2.0, 6.0)
    field = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)  # smooth, a few px of bend
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    mask = cv2.remap(mask, gx + field[..., 0], gy + field[..., 1], cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        mask = cv2.erode(mask, np.ones((5, 5), np.uint8), iterations=int(rng.integers(1, 4)))
    k = int(rng.integers(2, 12)) * 2 + 1
    mask = cv2.GaussianBlur(mask, (k, k), 0)
    return np.clip(mask * rng.uniform(0.75, 1.0), 0, 1)


def self_blend(img: np.ndarray, lm: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Alpha blend with a soft mask, or (a third of the time) Poisson blend, as swap tools do:
    colours then match at the edge and only the texture inside gives the paste away."""
    soft = blend_mask(img.shape[:2], lm, rng)
    source = altered_copy(img, rng)
    if rng.random() < 0.35:
        hard = (soft > 0.5).astype(np.uint8) * 255
        ys, xs = np.nonzero(hard)
        if len(xs) and xs.min() > 1 and ys.min() > 1 and xs.max() < img.shape[1] - 2 and ys.max() < img.shape[0] - 2:
            centre = (int((xs.min() + xs.max()) / 2), int((ys.min() + ys.max()) / 2))
            return cv2.seamlessClone(source.astype(np.uint8), img, hard, centre, cv2.NORMAL_CLONE)
    mask = soft[..., None]
    out = mask * source + (1 - mask) * img.astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def degrade(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Call-like quality loss applied to reals and fakes alike: small faces, sensor noise, and
    block compression down to the blockiness of old video codecs (MPEG-1 talking heads)."""
    out = img
    h, w = img.shape[:2]
    if rng.random() < 0.6:  # camera colour rendering: saturation, white balance, gamma
        hsv = cv2.cvtColor(out, cv2.COLOR_BGR2HSV).astype(np.float32)
        hsv[..., 1] = np.clip(hsv[..., 1] * rng.uniform(0.7, 1.7), 0, 255)
        out = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2BGR).astype(np.float32)
        out = 255.0 * (np.clip(out * rng.uniform(0.9, 1.1, size=3), 0, 255) / 255.0) ** rng.uniform(0.8, 1.25)
        out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.7:
        f = rng.uniform(0.25, 0.9)
        out = cv2.resize(cv2.resize(out, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA), (w, h),
                         interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.3:
        out = np.clip(out.astype(np.float32) + rng.normal(0, rng.uniform(1, 5), out.shape), 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(0, 3))):  # none, once, or re-compressed
        f = rng.uniform(0.4, 1.0)  # compress at a smaller size: blocks cover more of the face
        small = cv2.resize(out, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA)
        ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(15, 90))])
        out = cv2.resize(cv2.imdecode(buf, cv2.IMREAD_COLOR), (w, h), interpolation=cv2.INTER_LINEAR)
    return out
