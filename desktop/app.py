"""`callshield-desktop`: composition root of the desktop app (the only place parts are wired)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, NoReturn

from platformdirs import user_config_dir
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop.controllers.admin_models import ModelRow, model_rows
from desktop.controllers.cue_listener import CueListeners
from desktop.controllers.engine_factory import AnalyzerBuilder, EngineFactory
from desktop.controllers.live_session import LiveSession, SessionRecord, SourceBuilder
from desktop.controllers.source_plan import build_sources
from desktop.controllers.source_catalog import SourceProbes
from desktop.controllers.workflow_session import WorkflowSession, default_context_factory
from desktop.qt_binding import binding_problem
from desktop.settings import DesktopSettings
from desktop.tasks import TaskRunner
from desktop.views.check_dialog import CheckDialog
from desktop.views.compact_overlay import CompactOverlay
from desktop.views.admin.admin_page import AdminPage
from desktop.views.approvals.approvals_page import ApprovalsPage
from desktop.views.audit.audit_page import AuditPage
from desktop.views.main_window import MainWindow
from desktop.views.monitor.monitor_page import MonitorPage
from desktop.views.monitor.source_chooser import SourceChooser
from desktop.views.requests.requests_page import RequestsPage
from desktop.views.sign_in import SignedInState
from desktop.views.tray import TrayNotifier
from verification.doctor import Check, run_checks
from verification.inference.manifest import load_manifest
from verification.inference.model_dir import resolve_model_dir
from verification.inference.providers import choose_providers
from verification.pipeline.runner import EngineConfig
from verification.report.build import build_report
from verification.audit.keys import SigningKey
from verification.report.signature import sign_report
from verification.workflow.call_link import summarise_report

#: a live call: recordings (--demo) paced to real time, newest frame wins, drops counted
LIVE_CONFIG = EngineConfig(realtime=True, lossless=False)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callshield-desktop", description="CallShield desktop app")
    parser.add_argument("--model-dir", default=None, metavar="DIR",
                        help="directory holding model files (default: $CALLSHIELD_MODEL_DIR or the per-user one)")
    parser.add_argument("--demo", metavar="RECORDING", default=None,
                        help="play RECORDING as the call (paced to real time), for trying the app and training")
    parser.add_argument("--settings", metavar="FILE", default=None,
                        help="settings file (default: desktop.ini in the per-user configuration directory)")
    parser.add_argument("--no-check", action="store_true", help="do not show the first-run check")
    parser.add_argument("--no-cues", action="store_true",
                        help="do not transcribe calls' speech for scam cues (saves about 0.1 s of CPU per second of call)")
    parser.add_argument("--db", metavar="URL", default=None,
                        help="workflow database URL (default: $CALLSHIELD_DB, else SQLite in the data directory)")
    parser.add_argument("--data-dir", metavar="DIR", default=None,
                        help="data directory (default: $CALLSHIELD_DATA_DIR or the per-user data directory)")
    parser.add_argument("--self-check", action="store_true",
                        help="check this installation (models, sessions, an analysis, database, audit, window), "
                             "print one line per part and exit")
    return parser


def default_analyzer_builder(model_dir: str | None) -> AnalyzerBuilder:
    def build(warn: Callable[[str], None]) -> Any:
        from verification.composition import build_analyzer  # heavy: runs on a worker thread

        return build_analyzer(model_dir, LIVE_CONFIG, warn=warn, preload=True)  # every model checked at start

    return build


def call_report(record: SessionRecord | None) -> dict[str, Any] | None:
    """The finished call's report (verdict, detectors, and the scam cues heard; the transcript only
    when the user chose to keep it), or None before the call has ended."""
    if record is None or record.analysis is None:
        return None
    try:
        report = build_report(record.label, None, record.analysis, [], 0.0)
    except ValueError:
        return None
    if record.analysis.speech_cues is not None:
        report["speech_cues"] = record.analysis.speech_cues
    return report


def linked_call(record: SessionRecord | None, signer: Callable[[], SigningKey]) -> dict[str, Any] | None:
    """The finished call as the workflow's call summary (verdict, models), for "link the call just watched",
    signed by this installation's key so that its verdict counts."""
    report = call_report(record)
    if report is None or record is None:
        return None
    return summarise_report(report, record.label, sign_report(report, signer()))


def models_source(model_dir: Path, factory: EngineFactory) -> Callable[[], list[ModelRow]]:
    """The models page's rows: the manifest's models, their files checked now, the provider in use."""
    return lambda: model_rows(load_manifest(), model_dir, factory.loaded_providers(), choose_providers(None))


@dataclass
class Desktop:
    app: QApplication
    settings: DesktopSettings
    runner: TaskRunner
    factory: EngineFactory
    session: LiveSession
    chooser: SourceChooser
    monitor: MonitorPage
    window: MainWindow
    overlay: CompactOverlay
    tray: TrayNotifier
    check_dialog: CheckDialog
    workflow: SignedInState
    requests: RequestsPage
    approvals: ApprovalsPage
    audit: AuditPage
    admin: AdminPage

    def quit(self) -> None:
        self.session.shutdown(timeout=3.0)
        self.workflow.follower.stop()
        self.workflow.session.close()
        self.overlay.close()
        self.check_dialog.close()
        self.tray.hide()
        self.app.quit()


def build_desktop(app: QApplication, args: argparse.Namespace, settings_path: Path,
                  probes: SourceProbes | None = None, analyzer_builder: AnalyzerBuilder | None = None,
                  checks: Callable[[], list[Check]] | None = None, use_tray: bool | None = None,
                  open_sources: SourceBuilder = build_sources,
                  workflow_session: WorkflowSession | None = None) -> Desktop:
    """Everything wired; the stand-ins (probes, builders, checks, workflow session) are for tests and the
    screenshot script. The workflow database is opened only when someone signs in."""
    settings = DesktopSettings(settings_path)
    runner = TaskRunner(app)
    model_dir = resolve_model_dir(args.model_dir, os.environ)
    speech = None if getattr(args, "no_cues", False) else CueListeners(model_dir, lambda: settings.keep_transcript)
    factory = EngineFactory(analyzer_builder or default_analyzer_builder(args.model_dir), LIVE_CONFIG, speech)
    session = LiveSession(factory, open_sources, parent=app)
    chooser = SourceChooser(probes or SourceProbes(), runner)
    monitor = MonitorPage(session, chooser)
    monitor.cues.keep_transcript.setChecked(settings.keep_transcript)
    monitor.cues.keep_transcript.toggled.connect(settings.set_keep_transcript)
    workflow = SignedInState(workflow_session or WorkflowSession(
        default_context_factory(getattr(args, "db", None), getattr(args, "data_dir", None))), app, runner)
    model_dir = resolve_model_dir(args.model_dir, os.environ)
    requests = RequestsPage(workflow, lambda: linked_call(session.record, lambda: workflow.session.ctx.audit.key))
    monitor.cues.checklist_items.connect(requests.pretick_from_speech)
    approvals = ApprovalsPage(workflow)
    audit = AuditPage(workflow, runner)
    admin = AdminPage(workflow, runner, models_source(model_dir, factory))
    window = MainWindow([("Monitor", monitor), ("Requests", requests), ("Approvals", approvals),
                         ("Audit", audit), ("Admin", admin)],
                        show_overlay=settings.show_overlay)
    overlay = CompactOverlay()
    tray = TrayNotifier(app, use_tray=use_tray)
    check_dialog = CheckDialog(checks or (lambda: run_checks(model_dir, getattr(args, "db", None),
                                                             getattr(args, "data_dir", None))), runner, window)
    desktop = Desktop(app, settings, runner, factory, session, chooser, monitor, window, overlay, tray, check_dialog,
                      workflow, requests, approvals, audit, admin)

    def reflect_role() -> None:
        window.set_area_visible("Admin", workflow.is_admin)  # the engine re-checks every admin action

    workflow.changed.connect(reflect_role)
    reflect_role()

    window.start_action.triggered.connect(monitor.start)
    window.stop_action.triggered.connect(session.stop)
    window.check_requested.connect(check_dialog.open_and_run)
    window.quit_requested.connect(desktop.quit)
    tray.open_requested.connect(window.bring_to_front)
    tray.quit_requested.connect(desktop.quit)
    tray.notified.connect(lambda _title, _message: None if tray.available else app.alert(window))
    overlay.open_main.connect(window.bring_to_front)
    overlay.closed_by_user.connect(lambda: window.overlay_action.setChecked(False))

    def toggle_overlay(show: bool) -> None:
        settings.set_show_overlay(show)
        if show and session.active:
            overlay.show()
        elif not show:
            overlay.hide()

    placed: list[bool] = []  # the overlay is placed once, on the window's screen; then it stays where put

    def on_started(label: str) -> None:
        tray.reset()
        overlay.show_watching(label)
        if settings.show_overlay:
            if not placed:
                overlay.place_on(window.screen(), window.frameGeometry())
                placed.append(True)
            overlay.show()

    def on_ended(record: SessionRecord | None) -> None:
        final = None
        if record is not None:
            final = record.analysis.verdict if record.analysis is not None else record.peak
        overlay.show_ended(final)

    window.overlay_action.toggled.connect(toggle_overlay)
    session.started.connect(on_started)
    session.verdict_changed.connect(lambda verdict, _latency: overlay.show_verdict(verdict))
    session.verdict_changed.connect(lambda verdict, _latency: tray.update_verdict(verdict))
    session.ended.connect(on_ended)

    runner.run(factory.prepare, lambda _parts: window.set_status(factory.status_lines() or ["Ready"]),
               lambda message: window.set_status([f"Detector models could not be loaded: {message}"]),
               name="callshield-desktop-models")
    chooser.refresh()
    if args.demo:
        chooser.set_recording(args.demo)
    if not args.no_check and not settings.first_run_done:
        check_dialog.finished.connect(lambda _code: settings.mark_first_run_done())
    return desktop


def main(argv: list[str] | None = None) -> int:
    args, qt_args = build_parser().parse_known_args(argv)
    if args.self_check:
        from desktop.self_check import run as self_check

        return self_check(args)
    import PySide6

    problem = binding_problem(PySide6.__version_info__)
    if problem:
        print(f"callshield-desktop: error: {problem}", file=sys.stderr)
        return 2
    app = QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("CallShield")
    app.setQuitOnLastWindowClosed(False)  # the overlay and tray outlive a hidden window; quit is explicit
    settings_path = Path(args.settings) if args.settings else Path(user_config_dir("callshield", appauthor=False)) / "desktop.ini"
    desktop = build_desktop(app, args, settings_path)
    desktop.window.fit_to_screen()
    desktop.window.show()
    from desktop.startup_trace import trace_startup

    trace_startup(desktop, os.environ)  # packaging/measure.py's timings; silent unless asked
    if args.demo:
        QTimer.singleShot(0, desktop.monitor.start)
    if not args.no_check and not desktop.settings.first_run_done:
        QTimer.singleShot(0, desktop.check_dialog.open_and_run)
    return app.exec()


def run() -> NoReturn:
    """The program's entry point. Once the app has closed what it owns (Desktop.quit: the call stopped,
    the database disposed, settings written), the process ends at once: Python's own teardown of the
    native libraries (onnxruntime, OpenCV, Qt) took about 1 s more and writes nothing."""
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
