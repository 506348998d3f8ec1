"""Passwords and code phrases are slow scrypt hashes (~0.1 s each, by design): the desktop runs every
one of them on the task runner, and the event loop keeps ticking while a real-cost hash runs."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from pytestqt.qtbot import QtBot

from desktop.controllers.workflow_session import WorkflowSession
from desktop.views.admin.admin_page import AdminPage
from desktop.views.requests.requests_page import RequestsPage
from desktop.views.sign_in import SignedInState, SignInDialog
from tests.desktop.support import LagProbe
from tests.desktop.workflow_world import CALL, DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD, TEST_HASHER
from verification.workflow import directory, lifecycle, users
from verification.workflow.secrets_hash import SlowHasher

LAG_LIMIT_MS = 50.0


class ThreadNoting(SlowHasher):
    """The real hasher, noting which thread each hash runs on."""

    def __init__(self, inner: SlowHasher) -> None:
        super().__init__()
        self.inner = inner
        self.on_gui: list[str] = []
        self.off_gui: list[str] = []

    def _note(self, what: str) -> None:
        on_gui = threading.current_thread() is threading.main_thread()
        (self.on_gui if on_gui else self.off_gui).append(what)

    def hash(self, secret: str) -> str:
        self._note("hash")
        return self.inner.hash(secret)

    def verify(self, secret: str, encoded: str) -> bool:
        self._note("verify")
        return self.inner.verify(secret, encoded)

    def burn(self) -> None:
        self._note("burn")
        self.inner.burn()


def _noting_state(w: DeskWorld) -> tuple[SignedInState, ThreadNoting]:
    hasher = ThreadNoting(TEST_HASHER)
    ctx = replace(w.ctx, hasher=hasher)
    return SignedInState(WorkflowSession(lambda: (ctx, w.data_dir))), hasher


def _dialog_sign_in(qtbot: QtBot, state: SignedInState, name: str, password: str) -> SignInDialog:
    dialog = SignInDialog(state)
    qtbot.addWidget(dialog)
    dialog.name.setText(name)
    dialog.password.setText(password)
    dialog.try_sign_in()
    assert dialog.checking  # the dialog returned at once: the check runs elsewhere
    qtbot.waitUntil(lambda: not dialog.checking, timeout=10_000)
    return dialog


def test_sign_in_hashes_on_the_task_runner(qtbot: QtBot, desk_world: DeskWorld) -> None:
    state, hasher = _noting_state(desk_world)
    dialog = _dialog_sign_in(qtbot, state, "nobody", PASSWORD)
    assert dialog.error.text() == "authentication failed for user 'nobody'"
    dialog = _dialog_sign_in(qtbot, state, "ada", "wrong password")
    assert dialog.error.text() == "authentication failed for user 'ada'" and not state.session.signed_in
    dialog = _dialog_sign_in(qtbot, state, "ada", PASSWORD)
    assert state.session.signed_in and dialog.result() == SignInDialog.DialogCode.Accepted
    assert hasher.on_gui == [] and hasher.off_gui == ["burn", "verify", "verify"]


def test_cancelled_sign_in_signs_nobody_in(qtbot: QtBot, desk_world: DeskWorld) -> None:
    state, _hasher = _noting_state(desk_world)
    dialog = SignInDialog(state)
    qtbot.addWidget(dialog)
    dialog.name.setText("ada")
    dialog.password.setText(PASSWORD)
    dialog.try_sign_in()
    dialog.reject()
    qtbot.waitUntil(lambda: not state.runner.busy, timeout=10_000)
    qtbot.wait(50)  # the worker's answer is delivered on the event loop
    assert not state.session.signed_in


def test_phrases_and_new_passwords_hash_on_the_task_runner(qtbot: QtBot, desk_world: DeskWorld) -> None:
    directory.set_code_phrase(desk_world.ctx, desk_world.admin, "Acme Supplies", "blue heron at noon")
    request = lifecycle.create_request(desk_world.ctx, desk_world.requester, "transfer", "25000", "EUR",
                                       "Acme Supplies", {"iban": "GB33BUKB20201555555555"}, call=CALL,
                                       checklist={k: False for k in ("urgency", "secrecy", "new_beneficiary",
                                                                     "changed_bank_details", "unusual_channel",
                                                                     "callback_refused")})
    state, hasher = _noting_state(desk_world)
    state.sign_in("alan", PASSWORD)  # the synchronous path for tests: this one hash is on the GUI thread
    hasher.on_gui.clear()
    requests = RequestsPage(state)
    qtbot.addWidget(requests)
    requests.select(request.id)
    requests.phrase.setText("blue heron at noon")
    requests.verify_phrase()
    qtbot.waitUntil(lambda: requests.result.text() == f"Code phrase confirmed for request {request.id}.",
                    timeout=5_000)
    requests.issue_code()  # one-time codes are scrypt hashes too
    qtbot.waitUntil(lambda: requests.result.text().startswith("One-time code"), timeout=5_000)
    requests.code.setText(requests.result.text().rsplit(": ", 1)[-1])
    requests.verify_code()
    qtbot.waitUntil(lambda: requests.result.text() == f"Code confirmed for request {request.id}.", timeout=5_000)

    state.sign_out()
    state.sign_in("ada", PASSWORD)
    hasher.on_gui.clear()
    admin = AdminPage(state, state.runner, lambda: [])
    qtbot.addWidget(admin)
    admin.directory.select_entry("Acme Supplies")
    admin.directory.phrase.setText("green kite at dusk")
    admin.directory.set_phrase()
    qtbot.waitUntil(lambda: admin.directory.result.text().startswith("Code phrase enrolled"), timeout=5_000)
    admin.users.new_name.setText("otto")
    admin.users.new_password.setText(PASSWORD)
    admin.users.new_roles[next(iter(admin.users.new_roles))].setChecked(True)
    admin.users.add_user()
    qtbot.waitUntil(lambda: admin.users.result.text().startswith("Added otto"), timeout=5_000)
    assert hasher.on_gui == []
    assert hasher.off_gui.count("hash") == 3 and hasher.off_gui.count("verify") >= 2


def test_event_loop_keeps_ticking_while_a_real_cost_password_is_checked(qtbot: QtBot, desk_world: DeskWorld) -> None:
    strong = SlowHasher()  # the shipped cost, not the tests' cheap one
    users.set_password(replace(desk_world.ctx, hasher=strong), desk_world.admin, "alan", PASSWORD)
    started = time.perf_counter()
    strong.verify(PASSWORD, strong.hash(PASSWORD))
    one_check_s = (time.perf_counter() - started) / 2
    state = SignedInState(desk_world.session())
    probe = LagProbe()
    probe.timer.start()
    began = time.perf_counter()
    _dialog_sign_in(qtbot, state, "alan", PASSWORD)
    took = time.perf_counter() - began
    probe.timer.stop()
    assert state.session.signed_in
    lags = probe.lags_ms()
    print(f"one check {one_check_s * 1000:.0f} ms; sign-in {took * 1000:.0f} ms; {lags.size} ticks, "
          f"worst lag {lags.max():.1f} ms")
    assert took >= 0.5 * one_check_s  # the real cost was paid...
    assert lags.size >= 3 and lags.max() <= LAG_LIMIT_MS  # ...and never by the event loop
