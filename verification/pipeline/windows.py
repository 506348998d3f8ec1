"""Audio window plan: fixed-length windows every `hop_s`, in absolute sample indices."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class WindowPlan:
    sample_rate: int
    length_s: float = 2.0
    hop_s: float = 0.5
    min_tail_s: float = 1.0  # at the end of a stream, a shorter last window if at least this long
    _next_start: int | None = field(default=None, init=False)
    _last_end: int | None = field(default=None, init=False)
    _tail_done: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        if not 0 < self.hop_s <= self.length_s:
            raise ValueError("audio windows need 0 < hop <= length")
        self._length = int(round(self.length_s * self.sample_rate))
        self._hop = int(round(self.hop_s * self.sample_rate))

    def start_at(self, index: int) -> None:
        if self._next_start is None:
            self._next_start = index

    def next_window(self, available_end: int, ended: bool) -> tuple[int, int] | None:
        """The next [a, b) inside the data up to `available_end`; at the end, one tail window
        covering samples no full window reached (so a short recording still gets judged)."""
        if self._next_start is None:
            return None
        a = self._next_start
        if a + self._length <= available_end:
            self._next_start = a + self._hop
            self._last_end = a + self._length
            return a, a + self._length
        if ended and not self._tail_done:
            self._tail_done = True
            uncovered = available_end > (self._last_end if self._last_end is not None else a)
            tail_a = max(a, available_end - self._length)
            if uncovered and available_end - tail_a >= self.min_tail_s * self.sample_rate:
                self._last_end = available_end
                return tail_a, available_end
        return None

    def release_index(self) -> int:
        """Samples before this index are not needed by any future window."""
        return self._next_start or 0
