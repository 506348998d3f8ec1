"""`callshield analyze` and the live engine open no network socket and write no file but the outputs asked for.

Each runs in a child process (`tests/offline_probe.py`) with a fresh HOME, cache, config, data
and temp folder, under a Python audit hook that records socket use and file writes, and, where
`strace` can trace, under a system-call trace as well, which also sees native code (FFmpeg,
onnxruntime). Afterwards every folder the child could have written to is compared with before.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.child_process import run_child
from tests.media import write_clip
from verification.inference.model_dir import resolve_model_dir

TIME_LIMIT_S = 180
_TRACED = "socket,connect,bind,sendto,sendmsg,open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat"
_NETWORK_FAMILIES = ("AF_INET", "AF_INET6", "AF_PACKET", "AF_NETLINK")


def _strace() -> str | None:
    found = shutil.which("strace")
    if found is None:
        return None
    probe = subprocess.run([found, "-f", "-qq", "-o", os.devnull, "true"], capture_output=True, timeout=30)
    return found if probe.returncode == 0 else None  # ptrace may be forbidden in containers


def _snapshot(*folders: Path) -> dict[str, tuple[int, int]]:
    seen = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                stat = path.stat()
                seen[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return seen


def _run_offline(tmp_path: Path, probe_args: list[str]) -> tuple[list[dict], list[str], dict, dict]:
    """(audit events, syscall trace lines, files before, files after) of one offline_probe run."""
    home, tmp, work = tmp_path / "home", tmp_path / "tmp", tmp_path / "work"
    for folder in (home, tmp, work):
        folder.mkdir(exist_ok=True)
    model_dir = resolve_model_dir(None, os.environ)
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_DATA_HOME": str(home / ".local/share"), "XDG_STATE_HOME": str(home / ".local/state"),
           "TMPDIR": str(tmp), "CALLSHIELD_MODEL_DIR": str(model_dir), "PYTHONDONTWRITEBYTECODE": "1"}
    log = tmp_path / "audit.jsonl"
    trace = tmp_path / "syscalls.txt"
    command = [sys.executable, "-m", "tests.offline_probe", str(log), *probe_args]
    strace = _strace()
    if strace:
        command = [strace, "-f", "-qq", "-e", "signal=none", "-e", f"trace={_TRACED}", "-o", str(trace),
                   *command]
    watched = (home, tmp, work, tmp_path / "in", model_dir) if model_dir.is_dir() else (home, tmp, work)
    before = _snapshot(*watched)
    run = run_child(command, TIME_LIMIT_S, tmp_path / "stderr.txt", env=env, cwd=work)
    after = _snapshot(*watched)
    assert run.code is not None, f"did not finish within {TIME_LIMIT_S} s"
    assert run.code in (0, 2) and "Traceback" not in run.stderr, run.stderr[-2000:]
    events = [json.loads(line) for line in log.read_text().splitlines()]
    lines = trace.read_text().splitlines() if strace else []
    return events, lines, before, after


def _network_use(events: list[dict], lines: list[str]) -> list[str]:
    found = []
    for e in events:
        if e["event"] == "socket.__new__":
            family = e["args"][1] if len(e["args"]) > 1 else None
            if family != int(socket.AF_UNIX):
                found.append(f"audit: {e}")
        elif e["event"] in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
                            "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"):
            found.append(f"audit: {e}")
    for line in lines:
        if re.search(r"\b(socket|connect|bind|sendto|sendmsg)\(", line) and any(f in line for f in _NETWORK_FAMILIES):
            found.append(f"syscall: {line}")
    return found


def _written_paths(events: list[dict], lines: list[str]) -> set[str]:
    paths = {str(e["args"][0]) for e in events if e["event"] != "socket.__new__" and not e["event"].startswith("socket.")}
    for line in lines:
        call = re.search(r"\b(open|openat|creat|mkdir|mkdirat|rename|renameat2?|unlink|unlinkat)\((?:AT_FDCWD, |\d+, )?\"([^\"]+)\"(.*)", line)
        if call is None or "= -1" in line:
            continue
        name, path, rest = call.groups()
        if name in ("open", "openat") and not re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND", rest):
            continue
        paths.add(path)
    return paths


def _check(tmp_path: Path, probe_args: list[str], allowed: set[str]) -> None:
    events, lines, before, after = _run_offline(tmp_path, probe_args)
    assert _network_use(events, lines) == []
    allowed_all = allowed | {os.devnull}
    written = {p for p in _written_paths(events, lines)
               if p not in allowed_all and not p.startswith(str(tmp_path / "audit")) and not p.startswith("/dev/shm/")}
    assert written == set(), sorted(written)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    assert changed == allowed & set(after), sorted(changed)


def test_analyze_opens_no_socket_and_writes_only_its_outputs(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    clip = write_clip(tmp_path / "in" / "call.mp4", seconds=1.5, size=(160, 120))
    jsonl, json_, html = (str(tmp_path / "work" / name) for name in ("r.jsonl", "r.json", "r.html"))
    _check(tmp_path, ["analyze", str(clip), "--jsonl", jsonl, "--json", json_, "--html", html, "--quiet"],
           {jsonl, json_, html})


def test_live_engine_opens_no_socket_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    _check(tmp_path, ["live", "2.0"], set())
