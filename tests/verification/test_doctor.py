"""`callshield doctor` and the desktop first-run check: each finding in plain words, with a fix."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pytest

from verification.commands import doctor as doctor_command
from verification.doctor import (Check, check_audio, check_cameras, check_database, check_models,
                                 check_screen_capture, check_window_capture, run_checks, worst_status)
from verification.errors import InputError
from verification.inference.manifest import load_manifest
from verification.inference.model_dir import resolve_model_dir
from verification.sources import AudioDeviceInfo, CameraInfo, ScreenRegion
from verification.sources.window_lookup import WindowInfo
from verification.store.database import open_database


def _device(index: int, name: str) -> AudioDeviceInfo:
    return AudioDeviceInfo(index, name, "ALSA", 2, 0, 48_000.0)


def test_screen_without_display_or_permission() -> None:
    no_display = check_screen_capture("linux", {}, grab=lambda: ["1x1"])
    assert no_display.status == "problem" and "desktop session" in (no_display.fix or "")
    wayland = check_screen_capture("linux", {"WAYLAND_DISPLAY": "wayland-0"}, grab=lambda: ["1x1"])
    assert wayland.status == "problem" and "X11" in (wayland.fix or "")
    mac = check_screen_capture("darwin", {}, grab=lambda: ["1x1"], mac_permission=lambda: False)
    assert mac.status == "problem" and "Screen Recording" in (mac.fix or "")


def test_screen_grab_result() -> None:
    ok = check_screen_capture("linux", {"DISPLAY": ":0"}, grab=lambda: ["1920x1080", "1280x1024"])
    assert ok.status == "ok" and "2 monitor(s): 1920x1080, 1280x1024" in ok.found and ok.fix is None

    def fails() -> list[str]:
        raise InputError("screen capture unavailable: XGetImage failed")

    failed = check_screen_capture("linux", {"DISPLAY": ":0"}, grab=fails)
    assert failed.status == "problem" and "XGetImage" in failed.found


def test_window_capture_falls_back_to_regions() -> None:
    missing = check_window_capture(support=lambda: "window capture needs xwininfo", windows=lambda: [])
    assert missing.status == "warning" and "Screen region" in (missing.fix or "")
    windows = [WindowInfo(n, f"app {n}", ScreenRegion(0, 0, 100, 100), pid=100 + n) for n in (1, 2, 3)]
    ok = check_window_capture(support=lambda: None, windows=lambda: windows, own_pid=102)
    assert ok.status == "ok" and "2 window(s) of other apps" in ok.found  # CallShield's own is not a call


def test_cameras() -> None:
    assert check_cameras(lambda: []).status == "warning"
    found = check_cameras(lambda: [CameraInfo(0, "Integrated Webcam")])
    assert found.status == "ok" and "Integrated Webcam" in found.found


def test_audio_without_portaudio() -> None:
    def no_portaudio() -> list[AudioDeviceInfo]:
        raise InputError("audio capture unavailable: PortAudio library not found")

    audio, loopback = check_audio("linux", no_portaudio)
    assert audio.status == loopback.status == "problem"
    assert "libportaudio2" in (audio.fix or "")


def test_audio_without_loopback_gives_the_os_hint() -> None:
    audio, loopback = check_audio("win32", lambda: [_device(0, "Microphone (Realtek)")])
    assert audio.status == "ok" and "Microphone (Realtek)" in audio.found
    assert loopback.status == "problem" and "Stereo Mix" in (loopback.fix or "")
    _, mac = check_audio("darwin", lambda: [])
    assert "BlackHole" in (mac.fix or "")


def test_audio_with_loopback() -> None:
    _, loopback = check_audio("linux", lambda: [_device(0, "Mic"), _device(1, "Monitor of Built-in Audio")])
    assert loopback.status == "ok" and "Monitor of Built-in Audio" in loopback.found


def test_models_missing_and_tampered(tmp_path: Path) -> None:
    manifest = load_manifest()
    missing = check_models(tmp_path, manifest)
    assert missing.status == "problem" and "callshield models fetch" in (missing.fix or "")
    installed = resolve_model_dir(None, os.environ)
    if not all((installed / m.file).is_file() for m in manifest.models):
        pytest.skip("models not fetched on this machine")
    for entry in manifest.models:
        (tmp_path / entry.file).symlink_to(installed / entry.file)
    assert check_models(tmp_path, manifest).status == "ok"
    first = manifest.models[0]
    (tmp_path / first.file).unlink()
    (tmp_path / first.file).write_bytes(b"not the pinned model")
    tampered = check_models(tmp_path, manifest)
    assert tampered.status == "problem" and first.id in tampered.found and "tampered" in (tampered.fix or "")


def test_database_states(tmp_path: Path) -> None:
    fresh = check_database(data_dir=str(tmp_path / "new"), environ={})
    assert fresh.status == "ok" and "created at first use" in fresh.found
    url = f"sqlite:///{tmp_path / 'cs.db'}"
    open_database(url).dispose()
    assert check_database(url, environ={}).status == "ok"
    refused = check_database("mysql://nowhere/db", environ={})
    assert refused.status == "problem" and "CALLSHIELD_DB" in (refused.fix or "")


def test_worst_status() -> None:
    ok = Check("a", "A", "ok", "fine")
    warn = Check("b", "B", "warning", "limited", "do this")
    bad = Check("c", "C", "problem", "broken", "fix that")
    assert worst_status([ok]) == "ok" and worst_status([ok, warn]) == "warning"
    assert worst_status([warn, bad, ok]) == "problem"


def test_doctor_command_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir")
    doctor_command.register(parser.add_subparsers())
    args = parser.parse_args(["--model-dir", str(tmp_path / "models"), "doctor", "--json", "--no-camera",
                              "--data-dir", str(tmp_path / "data")])
    assert args.func(args) == 1  # no models in an empty directory: a problem
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "problem"
    assert [c["id"] for c in out["checks"]] == ["screen", "windows", "audio", "loopback", "models", "database"]
    assert all(c["fix"] for c in out["checks"] if c["status"] != "ok")


def test_doctor_command_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir")
    doctor_command.register(parser.add_subparsers())
    args = parser.parse_args(["--model-dir", str(tmp_path), "doctor", "--no-camera",
                              "--data-dir", str(tmp_path / "data")])
    args.func(args)
    text = capsys.readouterr().out
    assert "FIX" in text and "what to do: Run `callshield models fetch`" in text
    assert text.rstrip().endswith("then run `callshield doctor` again.")


def test_run_checks_never_raises(tmp_path: Path) -> None:
    checks = run_checks(tmp_path, data_dir=str(tmp_path / "data"), include_cameras=True)
    assert {c.id for c in checks} == {"screen", "windows", "audio", "loopback", "cameras", "models", "database"}
    assert all(c.found and (c.status == "ok" or c.fix) for c in checks)
