"""Small inline SVG plots for the HTML report (no plotting library: the report stays one file)."""

from __future__ import annotations

from html import escape
from typing import Sequence

WIDTH, HEIGHT, PAD_L, PAD_B, PAD_T, PAD_R = 640, 120, 40, 22, 8, 10


def _x(t: float, duration: float) -> float:
    return PAD_L + (WIDTH - PAD_L - PAD_R) * (t / duration if duration > 0 else 0.0)


def _y(score: float) -> float:
    return PAD_T + (HEIGHT - PAD_T - PAD_B) * (1.0 - score)


def _axes(duration: float) -> list[str]:
    parts = [f'<line x1="{PAD_L}" y1="{_y(0)}" x2="{WIDTH - PAD_R}" y2="{_y(0)}" class="axis"/>',
             f'<line x1="{PAD_L}" y1="{_y(0)}" x2="{PAD_L}" y2="{_y(1)}" class="axis"/>']
    for level, cls in ((0.5, "elevated"), (0.8, "high")):
        parts.append(f'<line x1="{PAD_L}" y1="{_y(level):.1f}" x2="{WIDTH - PAD_R}" y2="{_y(level):.1f}" '
                     f'class="thr {cls}"/><text x="4" y="{_y(level) + 4:.1f}" class="lbl">{level:.1f}</text>')
    steps = 5
    for k in range(steps + 1):
        t = duration * k / steps
        parts.append(f'<text x="{_x(t, duration):.1f}" y="{HEIGHT - 6}" class="lbl" text-anchor="middle">{t:.1f}s</text>')
    return parts


def score_timeline(windows: Sequence[dict], duration: float, title: str) -> str:
    """Score per window (a step at its centre) with the elevated/high thresholds drawn in."""
    parts = _axes(duration)
    ok = [w for w in windows if w.get("status") == "ok" and w.get("score") is not None]
    na = [w for w in windows if w.get("status") != "ok"]
    for w in na:  # shade spans the detector could not judge
        x0, x1 = _x(w["t0"], duration), _x(w["t1"], duration)
        parts.append(f'<rect x="{x0:.1f}" y="{PAD_T}" width="{max(1.0, x1 - x0):.1f}" '
                     f'height="{HEIGHT - PAD_T - PAD_B}" class="na"/>')
    by_track: dict[object, list[dict]] = {}
    for w in ok:
        by_track.setdefault(w.get("track"), []).append(w)
    for track, ws in by_track.items():
        pts = " ".join(f'{_x((w["t0"] + w["t1"]) / 2, duration):.1f},{_y(w["score"]):.1f}' for w in ws)
        parts.append(f'<polyline points="{pts}" class="score"><title>track {escape(str(track))}</title></polyline>')
    if not ok:
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" class="empty" text-anchor="middle">no judged windows</text>')
    return (f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" class="plot">'
            + "".join(parts) + "</svg>")


def track_presence(faces: Sequence[dict], duration: float) -> str:
    """One bar per face track: when each participant's face was on screen."""
    rows = max(1, len(faces))
    row_h = 18
    height = rows * row_h + PAD_B + PAD_T
    parts = []
    for i, face in enumerate(faces):
        y = PAD_T + i * row_h
        x0, x1 = _x(face["first_s"], duration), _x(face["last_s"], duration)
        parts.append(f'<text x="4" y="{y + 12}" class="lbl">#{int(face["track"])}</text>'
                     f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(2.0, x1 - x0):.1f}" height="{row_h - 6}" class="bar"/>')
    if not faces:
        parts.append(f'<text x="{WIDTH / 2}" y="{PAD_T + 12}" class="empty" text-anchor="middle">no faces tracked</text>')
    for k in range(6):
        t = duration * k / 5
        parts.append(f'<text x="{_x(t, duration):.1f}" y="{height - 6}" class="lbl" text-anchor="middle">{t:.1f}s</text>')
    return f'<svg viewBox="0 0 {WIDTH} {height}" class="plot" role="img" aria-label="face tracks">{"".join(parts)}</svg>'
