"""A long call made of short recordings played back to back, and the process figures a soak watches.

`PlaylistVideoSource` / `PlaylistAudioSource` decode each clip with the real file sources (PyAV),
open the next when one ends and shift its timestamps by the clips before it, so a few talking-head
clips become an hour-long call with faces and speech, and the decoder is opened and closed over
and over (which is where handle leaks show). Not paced: the engine runs it as fast as it can.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from verification.sources.base import AudioSource, FrameSource
from verification.sources.file_source import FileAudioSource, FileVideoSource
from verification.sources.media_probe import probe_media


class _Playlist:
    def __init__(self, paths: Sequence[Path], duration_s: float) -> None:
        if not paths:
            raise ValueError("a playlist needs at least one clip")
        self.paths = list(paths)
        self.lengths = [probe_media(p).duration_s or 0.0 for p in self.paths]
        if min(self.lengths) <= 0:
            raise ValueError("every clip must declare its duration")
        self.duration_s = duration_s
        self.index = 0  # clips started so far
        self.offset = 0.0  # media time where the current clip starts

    def next_clip(self) -> Path | None:
        if self.index:
            self.offset += self.lengths[(self.index - 1) % len(self.paths)]
        if self.offset >= self.duration_s:
            return None
        path = self.paths[self.index % len(self.paths)]
        self.index += 1
        return path


class _PlaylistSource:
    """The clips one after another through `open_clip` (a real file source), timestamps shifted."""

    live = False

    def __init__(self, paths: Sequence[Path], duration_s: float, open_clip: Callable[[Path], Any]) -> None:
        self._playlist = _Playlist(paths, duration_s)
        self._open_clip = open_clip
        self._clip: Any = None
        self._seq = 0

    def open(self) -> Any:
        info = self._start_next()
        if info is None:
            raise ValueError("empty playlist")
        return info

    def _start_next(self) -> Any:
        self.close()
        path = self._playlist.next_clip()
        if path is None:
            return None
        self._clip = self._open_clip(path)
        return self._clip.open()

    def read(self) -> Any:
        while self._clip is not None:
            item = self._clip.read()
            if item is not None:
                pts = self._playlist.offset + item.pts
                if pts >= self._playlist.duration_s:
                    return None
                self._seq += 1
                return replace(item, seq=self._seq - 1, pts=pts)
            self._start_next()
        return None

    def close(self) -> None:
        if self._clip is not None:
            self._clip.close()
            self._clip = None


class PlaylistVideoSource(_PlaylistSource, FrameSource):
    def __init__(self, paths: Sequence[Path], duration_s: float, max_side: int | None = 1280) -> None:
        super().__init__(paths, duration_s, lambda path: FileVideoSource(path, max_side=max_side))


class PlaylistAudioSource(_PlaylistSource, AudioSource):
    def __init__(self, paths: Sequence[Path], duration_s: float) -> None:
        super().__init__(paths, duration_s, FileAudioSource)


@dataclass(frozen=True)
class ProcessFigures:
    rss_mb: float
    threads: int  # native threads of the process (ONNX Runtime pools included)
    python_threads: int
    open_files: int  # file descriptors


def process_figures() -> ProcessFigures:
    """This process now, from /proc (Linux)."""
    rss_kb = threads = 0
    with open("/proc/self/status", encoding="ascii", errors="replace") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return ProcessFigures(rss_kb / 1024, threads, threading.active_count(), len(os.listdir("/proc/self/fd")))
