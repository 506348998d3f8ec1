"""Is this computer ready to watch a call? The checks behind `callshield doctor` and the desktop
app's first-run check, each answering in plain words what was found and what to fix.

Every check catches its own failures and returns a `Check`: one broken part (no PortAudio, no
display) must never hide what the other checks would have said. The probes each check calls are
parameters with the real functions as defaults, so tests can stand in for hardware.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Literal, Mapping, Sequence

from verification.errors import CallShieldError

Status = Literal["ok", "warning", "problem"]

#: shown in front of each line by the CLI and as the icon text in the desktop dialog
STATUS_WORDS: dict[Status, str] = {"ok": "ok", "warning": "check", "problem": "FIX"}


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    status: Status  # ok; warning: works with limits; problem: must be fixed before use
    found: str  # what was found, one plain sentence
    fix: str | None = None  # what to do about it, one plain sentence (None when ok)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _sentence(text: str) -> str:
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


# -- screen ---------------------------------------------------------------------------------------

def _mac_screen_permission() -> bool | None:
    """True/False when macOS says whether Screen Recording is allowed; None when it cannot tell."""
    try:
        import Quartz  # type: ignore[import-not-found]
    except ImportError:
        return None
    preflight = getattr(Quartz, "CGPreflightScreenCaptureAccess", None)
    return bool(preflight()) if preflight is not None else None


def _grab_probe() -> list[str]:
    """Capture one small frame from the first monitor; returns the monitors' sizes."""
    from verification.sources.screen_region import ScreenRegion
    from verification.sources.screen_source import ScreenSource, list_monitors

    monitors = list_monitors()
    if not monitors:
        raise CallShieldError("the display reports no monitors")
    first = monitors[0]
    source = ScreenSource(ScreenRegion(first.left, first.top, min(64, first.width), min(64, first.height)))
    try:
        source.open()
        source.read()
    finally:
        source.close()
    return [f"{m.width}x{m.height}" for m in monitors]


def check_screen_capture(platform: str = sys.platform, environ: Mapping[str, str] = os.environ,
                         grab: Callable[[], list[str]] = _grab_probe,
                         mac_permission: Callable[[], bool | None] = _mac_screen_permission) -> Check:
    title = "Screen capture"
    if platform == "darwin" and mac_permission() is False:
        return Check("screen", title, "problem", "macOS has not allowed this app to record the screen.",
                     "Open System Settings > Privacy & Security > Screen Recording, switch CallShield on, "
                     "then restart CallShield.")
    if platform.startswith("linux") and not environ.get("DISPLAY"):
        if environ.get("WAYLAND_DISPLAY"):
            return Check("screen", title, "problem", "This is a Wayland session without X11 access; "
                         "CallShield cannot capture the screen here.",
                         "Log out and choose the 'Xorg' / 'X11' session at the login screen, or watch the "
                         "call through a camera.")
        return Check("screen", title, "problem", "No graphical display was found ($DISPLAY is not set).",
                     "Start CallShield from your desktop session, not from a remote shell.")
    try:
        sizes = grab()
    except CallShieldError as exc:
        return Check("screen", title, "problem", f"Capturing the screen failed: {exc}.",
                     "Make sure you are logged in to a desktop session and that screen recording is "
                     "allowed for CallShield in your system's privacy settings.")
    except Exception as exc:  # noqa: BLE001 - any failure is a finding, never a crash
        return Check("screen", title, "problem", f"Capturing the screen failed: {_one_line(exc)}.",
                     "Make sure you are logged in to a desktop session.")
    return Check("screen", title, "ok", f"The screen can be captured ({len(sizes)} monitor(s): "
                 f"{', '.join(sizes)}).")


def check_window_capture(support: Callable[[], str | None] | None = None,
                         windows: Callable[[], Sequence[Any]] | None = None, own_pid: int | None = None) -> Check:
    """`own_pid`: the process whose windows are CallShield's (default this one): not counted as calls."""
    from verification.sources.own_windows import split_own
    from verification.sources.window_lookup import list_windows, window_support

    support = support or window_support
    windows = windows or list_windows
    title = "Call window capture"
    reason = support()
    if reason is not None:
        return Check("windows", title, "warning", f"Call windows cannot be picked by title: {reason}.",
                     "Choose 'Screen region' or 'Whole monitor' in CallShield and keep the call window "
                     "inside it.")
    try:
        count = len(split_own(windows(), os.getpid() if own_pid is None else own_pid)[0])
    except Exception as exc:  # noqa: BLE001
        return Check("windows", title, "warning", f"The window list could not be read: {_one_line(exc)}.",
                     "Choose 'Screen region' or 'Whole monitor' instead.")
    return Check("windows", title, "ok", f"Call windows can be picked by title ({count} window(s) of other apps "
                 f"visible now).")


# -- devices --------------------------------------------------------------------------------------

def check_cameras(cameras: Callable[[], Sequence[Any]] | None = None) -> Check:
    from verification.sources.camera_source import list_cameras

    title = "Cameras"
    try:
        found = list((cameras or list_cameras)())
    except Exception as exc:  # noqa: BLE001
        return Check("cameras", title, "warning", f"Cameras could not be listed: {_one_line(exc)}.",
                     "Only needed to film a call on another device; capturing the call window works without.")
    if not found:
        return Check("cameras", title, "warning", "No camera was found.",
                     "Only needed to film a call shown on another device; capturing the call window or "
                     "screen works without one.")
    names = ", ".join(str(getattr(c, "name", c)) for c in found)
    return Check("cameras", title, "ok", f"{len(found)} camera(s): {names}.")


def _audio_inputs() -> list[Any]:
    from verification.sources.audio_device_source import list_audio_inputs

    return list_audio_inputs()


def check_audio(platform: str = sys.platform, inputs: Callable[[], Sequence[Any]] = _audio_inputs) -> list[Check]:
    """Two findings: microphones/inputs at all, and a loopback that hears the other side of the call."""
    from verification.sources.audio_device_source import loopback_hint, pick_loopback_device

    try:
        devices = list(inputs())
    except CallShieldError as exc:
        problem = Check("audio", "Audio inputs", "problem", f"Audio cannot be recorded: {exc}.",
                        "Install the PortAudio library (Linux: package libportaudio2), then restart CallShield.")
        return [problem, Check("loopback", "System audio", "problem",
                               "System audio cannot be recorded without working audio capture.",
                               "Fix audio inputs first.")]
    except Exception as exc:  # noqa: BLE001
        devices = []
        listing_error: str | None = _one_line(exc)
    else:
        listing_error = None
    if devices:
        audio = Check("audio", "Audio inputs", "ok", f"{len(devices)} audio input(s): "
                      + ", ".join(d.name for d in devices[:4]) + (" ..." if len(devices) > 4 else "") + ".")
    else:
        why = f" ({listing_error})" if listing_error else ""
        audio = Check("audio", "Audio inputs", "warning", f"No microphone or other audio input was found{why}.",
                      "Connect a headset or enable an input device in your system's sound settings.")
    loopback = pick_loopback_device(devices, platform)
    if loopback is not None:
        system = Check("loopback", "System audio", "ok",
                       f"The call's sound can be recorded from '{loopback.name}'.")
    else:
        system = Check("loopback", "System audio", "problem",
                       "No device records what this computer plays, so the caller's voice cannot be checked.",
                       _sentence(loopback_hint(platform)))
    return [audio, system]


# -- models and database ---------------------------------------------------------------------------

def check_models(model_dir: Path, manifest: Any = None) -> Check:
    from verification.inference.manifest import load_manifest
    from verification.inference.verify import verify_all

    title = "Detector models"
    try:
        statuses = verify_all(manifest if manifest is not None else load_manifest(), model_dir)
    except CallShieldError as exc:
        return Check("models", title, "problem", f"The model list could not be read: {exc}.",
                     "Reinstall CallShield.")
    missing = [s.id for s in statuses if s.state == "missing"]
    mismatched = [s.id for s in statuses if s.state == "mismatch"]
    if mismatched:
        return Check("models", title, "problem",
                     f"{len(mismatched)} model file(s) do not match their pinned fingerprint (sha256) and will "
                     f"not be used: {', '.join(mismatched)}.",
                     f"Delete those files from {model_dir} and run `callshield models fetch`; if it happens "
                     "again, tell your IT security team (the files may have been tampered with).")
    if missing:
        return Check("models", title, "problem",
                     f"{len(missing)} of {len(statuses)} model(s) are not installed: {', '.join(missing)}.",
                     f"Run `callshield models fetch` (it writes them to {model_dir}).")
    return Check("models", title, "ok", f"All {len(statuses)} models are installed and verified (sha256) in {model_dir}.")


def check_database(db_url: str | None = None, data_dir: str | None = None,
                   environ: Mapping[str, str] = os.environ) -> Check:
    from sqlalchemy import make_url

    from verification.store.database import open_database
    from verification.store.location import resolve_data_dir, resolve_db_url
    from verification.store.migrate import current_revision, head_revision

    title = "Database"
    try:
        url = resolve_db_url(db_url, environ, resolve_data_dir(data_dir, environ))
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
            return Check("database", title, "ok",
                         f"The local database will be created at first use ({parsed.database}).")
        database = open_database(url, migrate=False)  # a check must not change the schema
        try:
            with database.reading() as connection:
                revision = current_revision(connection)
            where = database.display_url
        finally:
            database.dispose()
    except CallShieldError as exc:
        return Check("database", title, "problem", f"The database cannot be reached: {exc}.",
                     "Check the database address ($CALLSHIELD_DB or --db) and that the server is running; "
                     "ask your administrator if it is shared.")
    except Exception as exc:  # noqa: BLE001
        return Check("database", title, "problem", f"The database cannot be reached: {_one_line(exc)}.",
                     "Check the database address ($CALLSHIELD_DB or --db).")
    if revision != head_revision():
        return Check("database", title, "warning", f"The database at {where} uses an older layout.",
                     "Run `callshield db upgrade` (or ask your administrator for a shared database).")
    return Check("database", title, "ok", f"The database answers ({where}).")


def run_checks(model_dir: Path, db_url: str | None = None, data_dir: str | None = None,
               include_cameras: bool = True) -> list[Check]:
    """Every check in the order a person would fix them. Opening cameras can light their LED
    and take a second each on Windows, hence `include_cameras`."""
    checks = [check_screen_capture(), check_window_capture()]
    checks += check_audio()
    if include_cameras:
        checks.append(check_cameras())
    checks += [check_models(model_dir), check_database(db_url, data_dir)]
    return checks


def worst_status(checks: Sequence[Check]) -> Status:
    if any(c.status == "problem" for c in checks):
        return "problem"
    return "warning" if any(c.status == "warning" for c in checks) else "ok"
