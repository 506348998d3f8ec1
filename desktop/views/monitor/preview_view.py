"""The newest analysed frame with every tracked face boxed and badged by its own verdict.

The monitor page polls the engine on a timer and hands the frame here (newest wins: frames are
never queued to the GUI). Badges carry the level's shape, word and colour; an unjudged face has a
dashed box, so nothing depends on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.views.level_style import paint_level_mark, style_for
from verification.fusion.verdict import ParticipantVerdict


@dataclass(frozen=True)
class FaceBox:
    track: int
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in frame pixels


def to_qimage(image_bgr: np.ndarray) -> QImage:
    """A QImage that owns its pixels (the engine may drop the array at any time)."""
    height, width = image_bgr.shape[:2]
    data = np.ascontiguousarray(image_bgr)
    return QImage(data.data, width, height, data.strides[0], QImage.Format.Format_BGR888).copy()


class PreviewView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(320, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Call preview")
        self._image: QImage | None = None
        self._faces: list[FaceBox] = []
        self._verdicts: dict[int, ParticipantVerdict] = {}
        self._media_t: float | None = None
        self._message = "No call is being watched. Choose what to watch above and press Start."
        self.frame_seq: int | None = None  # seq of the frame shown (the poller skips repeats)
        self._describe()

    # -- input ----------------------------------------------------------------------------------
    def show_frame(self, seq: int, pts: float, image_bgr: np.ndarray, faces: Sequence[Any]) -> None:
        self.frame_seq = seq
        self._media_t = pts
        self._image = to_qimage(image_bgr)
        self._faces = [FaceBox(int(f.track_id), (float(f.box[0]), float(f.box[1]), float(f.box[2]), float(f.box[3])))
                       for f in faces]
        self._describe()
        self.update()

    def set_verdicts(self, participants: Sequence[ParticipantVerdict]) -> None:
        self._verdicts = {p.track: p for p in participants if p.track is not None}
        self._describe()
        self.update()

    def show_message(self, message: str, keep_frame: bool = True) -> None:
        self._message = message
        if not keep_frame:
            self._image, self._faces, self.frame_seq = None, [], None
        self._describe()
        self.update()

    # -- what a screen reader and the tests read -------------------------------------------------
    def badge_text(self, track: int) -> str:
        verdict = self._verdicts.get(track)
        level = verdict.level if verdict is not None else "unknown"  # no verdict yet: not judged yet
        return f"face #{track} · {style_for(level).short}"

    def badges(self) -> list[str]:
        return [self.badge_text(f.track) for f in self._faces]

    def _describe(self) -> None:
        if self._image is None:
            self.setAccessibleDescription(self._message)
        elif not self._faces:
            self.setAccessibleDescription("No face in view.")
        else:
            self.setAccessibleDescription("; ".join(self.badges()))

    # -- painting -------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt name
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1f2329"))
        if self._image is None:
            painter.setPen(QColor("#e8eaed"))
            painter.drawText(self.rect().adjusted(24, 24, -24, -24),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._message)
            painter.end()
            return
        iw, ih = self._image.width(), self._image.height()
        scale = min(self.width() / iw, self.height() / ih)
        target = QRectF((self.width() - iw * scale) / 2, (self.height() - ih * scale) / 2, iw * scale, ih * scale)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for face in self._faces:
            x0, y0, x1, y1 = face.box
            rect = QRectF(target.x() + x0 * scale, target.y() + y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale)
            self._paint_face(painter, rect, face.track, target)
        if self._message and self._media_t is not None:
            self._paint_caption(painter, target)
        painter.end()

    def _paint_face(self, painter: QPainter, rect: QRectF, track: int, frame: QRectF) -> None:
        verdict = self._verdicts.get(track)
        level = verdict.level if verdict is not None else "unknown"
        style = style_for(level)
        pen = QPen(QColor(style.colour), 3)
        if verdict is None:
            pen.setStyle(Qt.PenStyle.DashLine)  # not judged: dashed, whatever the colour
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(max(8.0, font.pointSizeF()))
        painter.setFont(font)
        metrics = QFontMetrics(font)
        text = self.badge_text(track)
        mark = metrics.height()
        width = mark + 6 + metrics.horizontalAdvance(text) + 10
        height = mark + 6
        top = rect.top() - height - 2 if rect.top() - height - 2 >= frame.top() else rect.top() + 2
        left = min(max(rect.left(), frame.left()), frame.right() - width)
        badge = QRectF(left, top, width, height)
        painter.setPen(QPen(QColor(style.colour), 1.5))
        painter.setBrush(QColor(style.tint))
        painter.drawRoundedRect(badge, 4, 4)
        paint_level_mark(painter, QRectF(badge.left() + 3, badge.top() + 3, mark, mark), level)
        painter.setPen(QColor("#111111"))
        painter.drawText(QRectF(badge.left() + mark + 8, badge.top(), width - mark - 8, height),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)

    def _paint_caption(self, painter: QPainter, frame: QRectF) -> None:
        text = f"{self._message}   t = {self._media_t:.1f} s"
        metrics = QFontMetrics(painter.font())
        box = QRectF(frame.left(), frame.bottom() - metrics.height() - 8, frame.width(), metrics.height() + 8)
        painter.fillRect(box, QColor(0, 0, 0, 150))
        painter.setPen(QColor("white"))
        painter.drawText(box.adjusted(8, 0, -8, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
