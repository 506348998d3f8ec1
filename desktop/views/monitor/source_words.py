"""Plain sentences for a source lost mid-call, retried and back (the banner and the preview say them)."""

from __future__ import annotations

from desktop.controllers.source_plan import (CameraTarget, DeviceAudio, MonitorTarget, RegionTarget, SourcePlan,
                                             WindowTarget)
from verification.pipeline.events import SourceInterrupted, SourceResumed

#: what each source is called when nothing more is known (a recording played as the call)
PLAIN = {"video": "Video", "audio": "Sound"}


def source_names(plan: SourcePlan | None) -> dict[str, str]:
    """"video"/"audio" -> what the person chose, in their words: Camera, Microphone, ..."""
    names = dict(PLAIN)
    video = plan.video if plan is not None else None
    audio = plan.audio if plan is not None else None
    if isinstance(video, CameraTarget):
        names["video"] = "Camera"
    elif isinstance(video, WindowTarget):
        names["video"] = "The call window"
    elif isinstance(video, (RegionTarget, MonitorTarget)):
        names["video"] = "Screen capture"
    if isinstance(audio, DeviceAudio):
        names["audio"] = "System audio" if audio.loopback else "Microphone"
    return names


def call_clock(seconds: float) -> str:
    """Call time as people read it: 0:42, 1:05:09."""
    hours, rest = divmod(int(max(seconds, 0.0)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def lost_sentence(event: SourceInterrupted, names: dict[str, str]) -> str:
    name = names.get(event.source, "A source")
    tries = "" if event.attempt == 0 else f" (tried {event.attempt} time{'s' if event.attempt > 1 else ''})"
    when = "now" if event.retry_in_s < 1 else f"in {event.retry_in_s:.0f} s"
    what = "picture" if event.source == "video" else "sound"
    return (f"{name} lost at {call_clock(event.media_t)}; retrying {when}{tries}. Nothing is judged from "
            f"the {what} until it is back. Why: {event.message}")


def resumed_sentence(event: SourceResumed, names: dict[str, str]) -> str:
    name = names.get(event.source, "The source")
    return (f"{name} back at {call_clock(event.media_t)} after {event.down_s:.0f} s; the gap is marked "
            "not judged on the timelines, and watching goes on.")
