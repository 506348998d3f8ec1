"""First-run check: the same checks as `callshield doctor`, run off the GUI thread, with what to fix."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.tasks import TaskRunner
from desktop.views.check_dialog import CheckDialog
from verification.doctor import Check, run_checks


def test_real_checks_say_what_to_fix(qtbot: QtBot, tmp_path: Path) -> None:
    models = tmp_path / "models"  # empty: every model is missing
    dialog = CheckDialog(lambda: run_checks(models, data_dir=str(tmp_path / "data"), include_cameras=False),
                         TaskRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.checks_done, timeout=30_000):
        dialog.start()
        assert dialog.summary.text().startswith("Checking")  # returned at once
    ids = [c.id for c in dialog.checks]
    assert ids == ["screen", "windows", "audio", "loopback", "models", "database"]
    models_check = next(c for c in dialog.checks if c.id == "models")
    assert models_check.status == "problem" and "callshield models fetch" in models_check.fix
    assert dialog.summary.text().startswith("Fix the lines marked FIX")
    texts = [dialog.grid.itemAt(i).widget().text() for i in range(dialog.grid.count())
             if dialog.grid.itemAt(i).widget() is not None]
    assert any("What to do:" in t and "callshield models fetch" in t for t in texts)
    assert any("FIX" in t for t in texts)  # the status is written, not only coloured


def test_all_good_and_a_failing_check_run(qtbot: QtBot) -> None:
    dialog = CheckDialog(lambda: [Check("screen", "Screen capture", "ok", "The screen can be captured.")], TaskRunner())
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.checks_done, timeout=5_000):
        dialog.start()
    assert dialog.summary.text() == "This computer is ready to watch calls."

    def broken() -> list[Check]:
        raise RuntimeError("boom")

    dialog._run_checks = broken
    dialog.start()
    qtbot.waitUntil(lambda: "could not run" in dialog.summary.text(), timeout=5_000)
    assert dialog.again.isEnabled()
