"""Running `callshield audit ...` and other commands against a test world, as a user of that machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.verification.conftest import PASSWORD, World
from verification.cli import main


class Cli:
    def __init__(self, url: str, data_dir: Path, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> None:
        self.base = ["--db", url, "--data-dir", str(data_dir)]
        self.capsys = capsys
        monkeypatch.setenv("CALLSHIELD_USER", "ada")
        monkeypatch.setenv("CALLSHIELD_PASSWORD", PASSWORD)

    @classmethod
    def of(cls, w: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> "Cli":
        return cls(w.database.url.render_as_string(hide_password=False), w.data_dir, capsys, monkeypatch)

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        group, sub, *rest = argv
        code = main([group, sub, *self.base, *rest])
        out, err = self.capsys.readouterr()
        return code, out, err


def one_line(err: str, match: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("callshield: ") and match in lines[0], err
    assert "Traceback" not in err
