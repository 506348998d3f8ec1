"""Per-detector timelines drawn with QPainter: one row per detector, score 0 (real) to 1 (fake)
over the call so far; grey hatching where the detector could not judge.

Repaints are throttled by the monitor page's timer, not per evidence item, so a burst of evidence
costs one repaint.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.views.monitor.timeline_model import DETECTOR_NAMES, TimelineModel
from verification.detectors.catalog import DETECTOR_SPECS

ROW_H = 22
LABEL_W = 165
AXIS_H = 18
TRACK_COLOURS = ("#1565c0", "#6a1b9a", "#00838f", "#ad1457", "#2e7d32")
TRACK_DASHES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine)


class TimelineView(QWidget):
    def __init__(self, model: TimelineModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setMinimumHeight(ROW_H * len(DETECTOR_SPECS) + AXIS_H + 4)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Detector timelines")
        self.refresh()

    def refresh(self) -> None:
        self.setAccessibleDescription("; ".join(
            f"{DETECTOR_NAMES.get(s.id, s.id)}: {self.model.summary(s.id)}" for s in DETECTOR_SPECS))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        t_start, t_end = self.model.window()
        plot_left, plot_right = LABEL_W, self.width() - 8
        span = max(t_end - t_start, 1e-6)

        def x_of(t: float) -> float:
            return plot_left + (t - t_start) / span * (plot_right - plot_left)

        bold = QFont(self.font())
        bold.setBold(True)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() - 1.5))
        text_colour = self.palette().text().color()
        for row_i, spec in enumerate(DETECTOR_SPECS):
            top = row_i * ROW_H
            band = QRectF(plot_left, top + 3, plot_right - plot_left, ROW_H - 6)
            painter.fillRect(band, QColor("#f3f5f7") if row_i % 2 == 0 else QColor("#eceff2"))
            painter.setPen(QPen(QColor("#c9d0d6"), 1, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(band.left(), band.center().y()), QPointF(band.right(), band.center().y()))
            painter.setPen(text_colour)
            painter.setFont(bold)
            painter.drawText(QRectF(6, top, LABEL_W - 12, ROW_H), Qt.AlignmentFlag.AlignVCenter,
                             DETECTOR_NAMES.get(spec.id, spec.id))
            self._paint_row(painter, spec.id, band, x_of, t_start)
            self._paint_summary(painter, self.model.summary(spec.id), band, small)
        self._paint_axis(painter, plot_left, plot_right, t_start, t_end, x_of, small)
        painter.end()

    def _paint_row(self, painter: QPainter, detector_id: str, band: QRectF, x_of, t_start: float) -> None:
        if detector_id in self.model.unavailable:
            return
        hatch = QColor("#9aa5ae")
        lines: dict[int | None, list[QPointF]] = {}
        for point in self.model.rows[detector_id]:
            if point.t1 < t_start:
                continue
            if point.score is None:
                rect = QRectF(x_of(max(point.t0, t_start)), band.top() + 2,
                              max(2.0, x_of(point.t1) - x_of(max(point.t0, t_start))), band.height() - 4)
                painter.fillRect(rect, QColor(hatch.red(), hatch.green(), hatch.blue(), 60))
                painter.fillRect(rect, Qt.BrushStyle.BDiagPattern)
                continue
            y = band.bottom() - point.score * band.height()
            lines.setdefault(point.track, []).append(QPointF(x_of((point.t0 + point.t1) / 2), y))
        # scores from windows of a detector that has not judged the call (too little of it) are drawn
        # grey: the row's words say "not judged", and the line must not read as a judgement
        judged = not self.model.summary(detector_id).startswith("not judged")
        for i, (track, points) in enumerate(sorted(lines.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))):
            colour = QColor(TRACK_COLOURS[i % len(TRACK_COLOURS)] if judged else "#aab2b9")
            painter.setPen(QPen(colour, 2, TRACK_DASHES[i % len(TRACK_DASHES)]))
            painter.drawPolyline(points)
            painter.setPen(QPen(colour, 1))
            painter.setBrush(colour)
            for p in points[-40:]:
                painter.drawEllipse(p, 2.2, 2.2)
            if track is not None:
                last = points[-1]
                painter.drawText(QPointF(min(last.x() + 4, band.right() - 24), last.y() - 2), f"#{track}")

    def _paint_summary(self, painter: QPainter, text: str, band: QRectF, font: QFont) -> None:
        """The newest judgement or why there is none, at the row's right end, over the plot."""
        painter.setFont(font)
        metrics = painter.fontMetrics()
        text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(band.width() * 0.6))
        width = metrics.horizontalAdvance(text) + 10
        box = QRectF(band.right() - width - 2, band.top() + 1, width, band.height() - 2)
        painter.fillRect(box, QColor(255, 255, 255, 210))
        painter.setPen(QColor("#46515b"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_axis(self, painter: QPainter, left: float, right: float, t_start: float, t_end: float,
                    x_of, font: QFont) -> None:
        top = ROW_H * len(DETECTOR_SPECS)
        painter.setFont(font)
        painter.setPen(QColor("#5f6b76"))
        painter.drawText(QRectF(6, top, LABEL_W - 12, AXIS_H), Qt.AlignmentFlag.AlignVCenter,
                         "score 0 = real, 1 = fake")
        step = tick_step(t_end - t_start)
        t = (int(t_start / step) + 1) * step
        while t <= t_end:
            x = x_of(t)
            if left <= x <= right - 24:
                painter.drawLine(QPointF(x, top), QPointF(x, top + 4))
                painter.drawText(QRectF(x - 30, top + 2, 60, AXIS_H - 2), Qt.AlignmentFlag.AlignCenter, tick_label(t))
            t += step


def tick_step(span_s: float) -> float:
    """A round step giving at most about 8 ticks over `span_s` (1 s for a short clip, minutes for an hour)."""
    for step in (1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0):
        if span_s / step <= 8:
            return step
    return 3600.0


def tick_label(t: float) -> str:
    return f"{t:.0f} s" if t < 120 else f"{t / 60:.0f} min"
