"""How well the engine keeps up: analysed frames per second, dropped frames and latency."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


def stats_text(snapshot: dict) -> str:
    e2e = snapshot.get("end_to_end") or {}
    p50, p95 = e2e.get("p50_ms"), e2e.get("p95_ms")
    latency = "latency —" if p50 is None else f"latency {p50:.0f} ms (95% under {p95:.0f} ms)"
    dropped = snapshot.get("frames_dropped", 0)
    parts = [f"analysed {snapshot.get('analysed_fps', 0.0):.1f} frames/s",
             f"dropped {dropped} frame{'s' if dropped != 1 else ''} ({snapshot.get('dropped_fps', 0.0):.1f}/s)",
             latency]
    if snapshot.get("audio_gap_s"):
        parts.append(f"audio gaps {snapshot['audio_gap_s']:.1f} s")
    return " · ".join(parts)


class StatsBar(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("analysed — · dropped — · latency —", parent)
        self.setAccessibleName("Analysis speed")
        self.setStyleSheet("color: #4f5b66;")

    def show_snapshot(self, snapshot: dict) -> None:
        self.setText(stats_text(snapshot))
        self.setAccessibleDescription(self.text())
