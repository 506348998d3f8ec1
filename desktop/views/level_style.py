"""How each risk level looks everywhere (panel, face badges, overlay, tray): a colour, a word and
a shape with a mark, so the level reads without colour (colour-blind users, grey-scale printouts)."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from verification.fusion.advice import verdict_line


@dataclass(frozen=True)
class LevelStyle:
    level: str
    word: str  # headline, e.g. "HIGH RISK"
    short: str  # badge text, e.g. "HIGH"
    shape: str  # circle | triangle | octagon | square
    colour: str  # strong colour (marks, borders)
    tint: str  # light background behind text

    @property
    def advice(self) -> str:
        """What to do, in one sentence: the engine's verdict line, the same as in reports."""
        return verdict_line(self.level)


# Not judged yet is its own state: neutral grey, a "?" in a square, never the green tick of `low`.
LEVEL_STYLES: Mapping[str, LevelStyle] = MappingProxyType({
    "low": LevelStyle("low", "LOW RISK", "LOW", "circle", "#1b7a34", "#e3f3e7"),
    "elevated": LevelStyle("elevated", "ELEVATED RISK", "ELEVATED", "triangle", "#9a5b00", "#fff1d1"),
    "high": LevelStyle("high", "HIGH RISK", "HIGH", "octagon", "#b3261e", "#fde3e1"),
    "unknown": LevelStyle("unknown", "NOT JUDGED YET", "NOT JUDGED YET", "square", "#4f5b66", "#e9edf1"),
})


def style_for(level: str) -> LevelStyle:
    return LEVEL_STYLES.get(level, LEVEL_STYLES["unknown"])


def _shape_path(shape: str, rect: QRectF) -> QPainterPath:
    path = QPainterPath()
    c, r = rect.center(), min(rect.width(), rect.height()) / 2
    if shape == "circle":
        path.addEllipse(c, r, r)
    elif shape == "triangle":
        path.addPolygon(QPolygonF([QPointF(c.x(), c.y() - r), QPointF(c.x() + r, c.y() + 0.8 * r),
                                   QPointF(c.x() - r, c.y() + 0.8 * r)]))
        path.closeSubpath()
    elif shape == "octagon":
        k = r * 0.414
        pts = [(-k, -r), (k, -r), (r, -k), (r, k), (k, r), (-k, r), (-r, k), (-r, -k)]
        path.addPolygon(QPolygonF([QPointF(c.x() + x, c.y() + y) for x, y in pts]))
        path.closeSubpath()
    else:
        path.addRoundedRect(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r), r * 0.3, r * 0.3)
    return path


def paint_level_mark(painter: QPainter, rect: QRectF, level: str) -> None:
    """The level's shape filled with its colour and a white mark: tick, !, cross or ?."""
    style = style_for(level)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(style.colour))
    painter.drawPath(_shape_path(style.shape, rect))
    c, r = rect.center(), min(rect.width(), rect.height()) / 2
    pen = QPen(QColor("white"), max(1.5, r * 0.22), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
               Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if level == "low":
        tick = QPainterPath(QPointF(c.x() - 0.45 * r, c.y()))
        tick.lineTo(c.x() - 0.1 * r, c.y() + 0.35 * r)
        tick.lineTo(c.x() + 0.5 * r, c.y() - 0.35 * r)
        painter.drawPath(tick)
    elif level == "high":
        d = 0.38 * r
        painter.drawLine(QPointF(c.x() - d, c.y() - d), QPointF(c.x() + d, c.y() + d))
        painter.drawLine(QPointF(c.x() + d, c.y() - d), QPointF(c.x() - d, c.y() + d))
    elif level == "elevated":
        painter.drawLine(QPointF(c.x(), c.y() - 0.35 * r), QPointF(c.x(), c.y() + 0.2 * r))
        painter.drawPoint(QPointF(c.x(), c.y() + 0.5 * r))
    else:
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(6, int(r * 1.3)))
        painter.setFont(font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "?")
    painter.restore()


def level_pixmap(level: str, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_level_mark(painter, QRectF(1, 1, size - 2, size - 2), level)
    painter.end()
    return pixmap


def level_icon(level: str) -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 64):
        icon.addPixmap(level_pixmap(level, size))
    return icon
