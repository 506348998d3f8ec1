"""Plain sentences for a source lost mid-call, retried and back (the banner and the preview say them)."""

from __future__ import annotations

from verification.pipeline.events import SourceInterrupted, SourceResumed

WHAT = {"video": "Video", "audio": "Sound"}


def call_clock(seconds: float) -> str:
    """Call time as people read it: 0:42, 1:05:09."""
    hours, rest = divmod(int(max(seconds, 0.0)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def lost_sentence(event: SourceInterrupted) -> str:
    what = WHAT.get(event.source, "A source")
    tries = "" if event.attempt == 0 else f" (tried {event.attempt} time{'s' if event.attempt > 1 else ''})"
    when = "now" if event.retry_in_s < 1 else f"in {event.retry_in_s:.0f} s"
    return (f"{what} lost at {call_clock(event.media_t)}; retrying {when}{tries}. "
            f"Nothing is judged from the {what.lower()} until it is back. Why: {event.message}")


def resumed_sentence(event: SourceResumed) -> str:
    what = WHAT.get(event.source, "The source")
    return (f"{what} back at {call_clock(event.media_t)} after {event.down_s:.0f} s; the gap is marked "
            "not judged on the timelines, and watching goes on.")
