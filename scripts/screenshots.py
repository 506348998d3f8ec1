"""Start the desktop app as a real window on a private Xvfb display, drive it through its main views
with a demo recording, and save PNG screenshots (used in the README).

Usage: python scripts/screenshots.py [RECORDING] [OUT_DIR]   (needs Debian's xvfb)
RECORDING defaults to the first GRID clip in ../shared/data; OUT_DIR to docs/screenshots/.
Look at the results: they are what a new user sees.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from screenshot_world import ADMIN_PASSWORD, admin_world, cut_copy  # beside this script

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RECORDINGS = ROOT.parent / "shared" / "data" / "video" / "talking_heads" / "grid"


def start_xvfb() -> tuple[subprocess.Popen, str, int]:
    """A private X server; returns it, its display and the pipe it reported on. The pipe stays
    open while the server runs: Xvfb may write to it again and dies of SIGPIPE if it is closed."""
    if shutil.which("Xvfb") is None:
        sys.exit("screenshots: Xvfb not found (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1366x768x24", "-nolisten", "tcp", "-noreset"],
                              pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
    os.close(write_fd)
    reported = b""
    while not reported.endswith(b"\n"):
        chunk = os.read(read_fd, 32)
        if not chunk:
            sys.exit("screenshots: Xvfb did not start")
        reported += chunk
    number = reported.decode().strip()
    wait_for_socket(Path(f"/tmp/.X11-unix/X{number}"))
    return server, f":{number}", read_fd


def wait_for_socket(path: Path, timeout_s: float = 10.0) -> None:
    """Xvfb reports its display number slightly before it accepts clients: wait until it does."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(str(path))
                return
            except OSError:
                time.sleep(0.05)
    sys.exit(f"screenshots: Xvfb did not accept connections on {path}")


def main() -> int:
    recordings = sorted(DEFAULT_RECORDINGS.glob("*.mpg"))
    recording = sys.argv[1] if len(sys.argv) > 1 else (str(recordings[0]) if recordings else "")
    if not recording:
        sys.exit("screenshots: give a RECORDING (no GRID clips found in ../shared/data)")
    out_dir = Path(sys.argv[2] if len(sys.argv) > 2 else ROOT / "docs" / "screenshots")
    out_dir.mkdir(parents=True, exist_ok=True)
    server, display, pipe = start_xvfb()
    os.environ["DISPLAY"] = display
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            drive(recording, out_dir, Path(tmp))
    finally:
        server.terminate()
        server.wait(timeout=10)
        os.close(pipe)
    return 0


def drive(recording: str, out_dir: Path, tmp: Path) -> None:
    from PySide6.QtCore import QEventLoop, QRect, Qt, QTimer
    from PySide6.QtGui import QImage
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from desktop.app import build_desktop, build_parser
    from desktop.controllers.source_plan import SourcePlan, build_sources
    from verification.errors import SourceLost
    from verification.sources import FileVideoSource, FrameSource, VideoFrame, VideoInfo

    class UnpluggedAfter(FrameSource):
        """A recording whose 'camera' is pulled out after a few frames (for the device-lost view)."""

        live = False

        def __init__(self, inner: FrameSource, frames: int) -> None:
            self.inner, self.left = inner, frames

        def open(self) -> VideoInfo:
            return self.inner.open()

        def read(self) -> VideoFrame | None:
            self.left -= 1
            if self.left < 0:
                raise SourceLost("camera 'USB webcam': no frames for 1 s (unplugged?)")
            return self.inner.read()

        def close(self) -> None:
            self.inner.close()

    unplug = {"after": 0}

    def open_sources(plan: SourcePlan) -> tuple:
        video, audio = build_sources(plan)
        if unplug["after"] and video is not None:
            video = UnpluggedAfter(video, unplug["after"])
        return video, audio

    app = QApplication(["callshield-desktop"])
    app.setQuitOnLastWindowClosed(False)
    args = build_parser().parse_args(["--settings", str(tmp / "desktop.ini"), "--db", f"sqlite:///{tmp / 'cs.db'}",
                                      "--data-dir", str(tmp / "data")])
    desktop = build_desktop(app, args, tmp / "desktop.ini", open_sources=open_sources)
    window, monitor, chooser, session = desktop.window, desktop.monitor, desktop.chooser, desktop.session
    window.fit_to_screen()  # a 1366 x 768 laptop screen
    window.show()

    def settle(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_for(condition: Callable[[], bool], timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition() and time.monotonic() < deadline:
            settle(50)

    def shoot(name: str) -> None:
        settle(250)
        app.primaryScreen().grabWindow(0).save(str(out_dir / f"{name}.png"))
        print(f"saved {out_dir / name}.png")

    # A stand-in for the call app's window: a still of the recording in a titled window, in a process of
    # its own as a real call app is (CallShield leaves out its own process's windows).
    source = FileVideoSource(recording)
    source.open()
    frame = source.read()
    source.close()
    assert frame is not None, f"{recording}: no video frames"
    image = frame.image[:, :, ::-1].copy()  # BGR -> RGB
    still = QImage(image.data, image.shape[1], image.shape[0], image.strides[0], QImage.Format.Format_RGB888)
    still.save(str(tmp / "call-still.png"))
    call_window = StandInCall(tmp / "call-still.png", "Team call - Meeting (stand-in call window)", "480x384+700+330")

    # 1. First-run check (the same checks as `callshield doctor`).
    wait_for(lambda: not desktop.runner.busy, 30)
    desktop.check_dialog.show()
    desktop.check_dialog.move(120, 60)
    desktop.check_dialog.start()
    wait_for(lambda: bool(desktop.check_dialog.checks), 60)
    shoot("01-first-run-check")
    desktop.check_dialog.accept()

    # 2. Choosing the call app's window.
    call_window.show()
    wait_for(call_window.mapped, 20)
    settle(300)
    chooser.set_video_kind("window")
    chooser.refresh()
    wait_for(lambda: chooser.window_combo.currentData() is not None, 10)
    window.raise_()
    window.activateWindow()
    shoot("02-choose-call-window")

    # 3. Drawing a screen region over the call window's video.
    chooser.set_video_kind("region")
    settle(200)
    chooser.draw_region()  # hides CallShield's window, then grabs the screen
    wait_for(lambda: chooser.overlay is not None, 10)
    overlay = chooser.overlay
    assert overlay is not None
    overlay.selection = QRect(740, 350, 400, 340)
    overlay.update()
    shoot("03-draw-region")
    QTest.keyClick(overlay, Qt.Key.Key_Return)
    wait_for(window.isVisible, 5)
    call_window.hide()

    # 4. Watching a call (the demo recording, paced to real time) and 5. the call ended.
    desktop.settings.set_show_overlay(False)
    window.overlay_action.setChecked(False)
    chooser.set_recording(recording)
    window.raise_()
    monitor.start()
    wait_for(lambda: monitor.preview.frame_seq is not None and bool(monitor.preview.badges()), 20)
    settle(1200)
    shoot("04-monitor-live")
    wait_for(lambda: not session.active, 30)
    shoot("05-call-ended")

    # 6. The compact overlay over the call app while the user works there.
    window.overlay_action.setChecked(True)
    monitor.start()
    wait_for(lambda: session.active and monitor.preview.frame_seq is not None, 20)
    call_window.show()
    wait_for(call_window.mapped, 20)
    desktop.overlay.raise_()
    settle(1000)
    shoot("06-overlay-over-call")
    wait_for(lambda: not session.active, 30)
    call_window.hide()
    desktop.overlay.hide()

    # 7. A camera unplugged mid-call: a clear banner, the evidence so far kept.
    unplug["after"] = 40
    window.overlay_action.setChecked(False)
    window.raise_()
    monitor.start()
    wait_for(lambda: monitor.banner.isVisible() and monitor.banner.kind == "error", 20)
    wait_for(lambda: not session.active, 30)
    shoot("07-device-lost")

    # 10. Signing in on a new database: nobody can yet; the dialog says how the first admin is made.
    from desktop.views.sign_in import SignInDialog

    dialog = SignInDialog(desktop.workflow, window)
    dialog.show()
    dialog.move(window.geometry().center() - dialog.rect().center())
    wait_for(dialog.no_users.isVisible, 10)
    shoot("10-sign-in-no-users")
    dialog.reject()
    # 15. The set-up ceremony: two first admins, each typing their own password.
    from desktop.views.first_admin import FirstAdminDialog

    ceremony = FirstAdminDialog(desktop.workflow.session, desktop.runner, window)
    ceremony.first.name.setText("ada")
    ceremony.first.display_name.setText("Ada Admin")
    ceremony.first.password.setText(ADMIN_PASSWORD)
    ceremony.first.repeat.setText(ADMIN_PASSWORD)
    ceremony.second.name.setText("bea")
    ceremony.second.display_name.setText("Bea Admin")
    ceremony.show()
    ceremony.move(window.geometry().center() - ceremony.rect().center())
    shoot("15-first-admins")
    ceremony.reject()
    # 14. A recording cut short: the app says it is damaged and the call is not judged (grey, never green).
    unplug["after"] = 0
    monitor.banner.hide()
    chooser.set_recording(str(cut_copy(recording, tmp)))
    monitor.start()
    wait_for(lambda: session.active, 20)
    wait_for(lambda: not session.active, 30)
    shoot("14-monitor-damaged-recording")
    chooser.set_recording(recording)

    # 8. The Admin tab (admins only): the policy form from the schema, a weakening edit in the diff,
    # and a change another admin proposed waiting for a second signature.
    keys = admin_world(args, tmp)
    desktop.workflow.sign_in("ada", ADMIN_PASSWORD)
    admin = desktop.admin
    window.tabs.setCurrentWidget(admin)
    admin.policy.key_bar.path.setText(str(keys["ada"]))
    admin.policy.form.find("limits.code_ttl_minutes").widget.setValue(5)
    admin.policy.form.find("limits.code_max_failures").widget.setValue(5)
    admin.policy.form.root.tabs.setCurrentIndex(admin.policy.form.root.tabs.count() - 1)
    admin.policy.recheck()
    shoot("08-admin-policy")
    admin.sections.setCurrentWidget(admin.models)
    wait_for(lambda: admin.models.loaded, 30)
    shoot("09-admin-models")
    # 16. Users and roles: what waits for a second admin, and who asked.
    admin.sections.setCurrentWidget(admin.users)
    admin.users.refresh()
    admin.users.select("otto")
    shoot("16-admin-users")

    # 20, 21. The guide that follows the set-up ceremony: the first counterparty with the number on file and
    # where it came from, then the first requester; each step says why in a sentence and can be skipped.
    from desktop.views.first_start_guide import FirstStartGuide

    guide = FirstStartGuide(desktop.workflow, "ada", window)
    guide.pages.setCurrentWidget(guide.directory_page)
    guide.counterparty.setText("Globex Trading")
    guide.organisation.setText("Globex Trading GmbH")
    guide.number.setText("+49 30 901820")
    guide.source.setText("signed supply contract 2024-03, page 2")
    guide.show()
    guide.move(window.geometry().center() - guide.rect().center())
    shoot("20-first-start-counterparty")
    guide.pages.setCurrentWidget(guide.requester_page)
    guide.requester_name.setText("rosa")
    guide.requester_display.setText("Rosa Clerk")
    guide.requester_password.setText(ADMIN_PASSWORD)
    guide.requester_repeat.setText(ADMIN_PASSWORD)
    shoot("21-first-start-requester")
    guide.reject()

    # 11. A requester's transfer request, held until its steps are done (local times, live countdown).
    desktop.workflow.sign_out()
    desktop.workflow.sign_in("rita", ADMIN_PASSWORD)
    requests = desktop.requests
    window.tabs.setCurrentWidget(requests)
    requests.amount.setText("250000")
    requests.iban.setText("GB33BUKB20201555555555")
    requests.beneficiary_name.setText("Acme Ltd")
    requests.claimed_contact.setText("+44 7700 900123")
    requests.checks["urgency"].setChecked(True)
    requests.create_button.click()
    shoot("11-requests")
    request_id = requests.selected_id()

    # 12. The approver records the call-back (never the requester), then sees the inbox; 17. Approve asks
    # first and takes the password again. 13. The audit log; all follow the database as it changes.
    desktop.workflow.sign_out()
    desktop.workflow.sign_in("alan", ADMIN_PASSWORD)
    requests.select(request_id or 0)
    requests.answered_by.setText("J. Smith, Acme accounts")
    for item in ("identity", "request", "amount"):
        requests.confirmed[item].setChecked(True)
    requests.callback_button.click()
    window.tabs.setCurrentWidget(desktop.approvals)
    desktop.approvals.refresh()
    shoot("12-approvals")
    desktop.approvals.approve_button.click()
    decision = desktop.approvals.decision
    assert decision is not None
    decision.password.setText(ADMIN_PASSWORD)
    shoot("17-approve-confirm")
    decision.reject()
    window.tabs.setCurrentWidget(desktop.audit)
    wait_for(lambda: desktop.audit.model.rowCount() > 0, 5)
    shoot("13-audit")
    desktop.quit()


class StandInCall:
    """scripts/stand_in_call.py as a process: shown while it runs, gone when stopped."""

    def __init__(self, picture: Path, title: str, geometry: str) -> None:
        self.args = [sys.executable, str(ROOT / "scripts" / "stand_in_call.py"), str(picture), title, geometry]
        self.title = title
        self.process: subprocess.Popen | None = None

    def show(self) -> None:
        self.hide()
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def mapped(self) -> bool:
        from verification.sources import list_windows

        return any(w.title == self.title for w in list_windows())

    def hide(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


if __name__ == "__main__":
    sys.exit(main())
