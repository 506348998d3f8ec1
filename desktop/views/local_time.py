"""Times as a person reads them: the engine stores UTC with microseconds ("2026-03-01T09:15:02.123456Z");
the views show this computer's local time to the second ("2026-03-01 10:15:02")."""

from __future__ import annotations

from datetime import datetime, timezone

FORMAT = "%Y-%m-%d %H:%M:%S"


def local_time(stamp: str | datetime | None) -> str:
    """The stored time in local time without microseconds; text that is no time is shown unchanged."""
    if stamp is None or stamp == "":
        return ""
    if isinstance(stamp, datetime):
        moment = stamp
    else:
        try:
            moment = datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
        except ValueError:
            return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # the engine's times are UTC
    return moment.astimezone().strftime(FORMAT)


def local_clock(stamp: str | None) -> str:
    """Only the time of day (for "held until 14:32:05")."""
    shown = local_time(stamp)
    return shown[11:] if len(shown) == len("2026-01-01 00:00:00") else shown
