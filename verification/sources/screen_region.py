"""A rectangle on the virtual desktop (all monitors, in the OS's screen coordinates)."""

from __future__ import annotations

from dataclasses import dataclass

from verification.errors import InputError

#: Smaller than this cannot hold a face a detector could judge.
MIN_CAPTURE_SIDE = 32


@dataclass(frozen=True)
class ScreenRegion:
    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    def describe(self) -> str:
        return f"{self.width}x{self.height} at ({self.left}, {self.top})"

    def intersect(self, other: ScreenRegion) -> ScreenRegion | None:
        left, top = max(self.left, other.left), max(self.top, other.top)
        right, bottom = min(self.right, other.right), min(self.bottom, other.bottom)
        if right <= left or bottom <= top:
            return None
        return ScreenRegion(left, top, right - left, bottom - top)

    def as_mss(self) -> dict[str, int]:
        return {"left": self.left, "top": self.top, "width": self.width, "height": self.height}


def validate_region(region: ScreenRegion, desktop: ScreenRegion,
                    min_side: int = MIN_CAPTURE_SIDE) -> ScreenRegion:
    """The part of `region` on the desktop; InputError if it is malformed, off-screen or too small."""
    values = (region.left, region.top, region.width, region.height)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise InputError(f"screen region {values}: coordinates must be whole pixels")
    if region.width <= 0 or region.height <= 0:
        raise InputError(f"screen region {region.describe()}: width and height must be positive")
    visible = region.intersect(desktop)
    if visible is None:
        raise InputError(f"screen region {region.describe()}: lies outside the desktop "
                         f"({desktop.describe()})")
    if visible.width < min_side or visible.height < min_side:
        raise InputError(f"screen region {region.describe()}: visible part {visible.width}x"
                         f"{visible.height} is smaller than {min_side}x{min_side} pixels")
    return visible
