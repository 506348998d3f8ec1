"""The evidence pack's HTML reads as a report for an auditor: tables, local times with their offset, the
app's words (risk "91 of 100", "Call-back", "One-time code"), no raw JSON, and nothing in a name runs."""

from __future__ import annotations

import re
import time
from typing import Iterator

import pytest

from tests.verification.conftest import ALL_NO, World, engine_call
from verification.audit.pack import build_pack
from verification.audit.pack_html import render_pack_html, when
from verification.workflow import confirmations, lifecycle

CALL = {"session": "call-7", "report_sha256": "1" * 64,
        "verdict": {"risk": 0.91, "level": "high", "reasons": ["voice_synthetic: 0.93"]},
        "models": [{"id": "voice_synthetic", "sha256": "cd" * 32, "provider": "CPUExecutionProvider"}],
        "input": {"path": "call.mp4", "duration_s": 60.0}}
HOSTILE = "<script>alert('pwned')</script> Ltd"
STORED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


@pytest.fixture
def in_kolkata(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_pack_html_is_a_report_in_the_apps_words(world: World, in_kolkata: None) -> None:
    w = world
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "25000", "EUR", w.counterparty,
                                       {"iban": "GB33BUKB20201555555555", "name": HOSTILE},
                                       call=engine_call(w.ctx, CALL), checklist={**ALL_NO, "urgency": True},
                                       note="<img src=x onerror=alert(1)>")
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "<b>J. Smith</b>",
                                  ["identity", "request", "amount"])
    with w.database.reading() as connection:
        pack = build_pack(connection, request.id, w.ctx.audit.key, w.clock, w.ctx.pins)
    html = render_pack_html(pack, True, None)

    assert "<script" not in html and "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt; Ltd" in html
    assert "<b>J. Smith</b>" not in html and "&lt;b&gt;J. Smith&lt;/b&gt;" in html
    assert "<img" not in html
    assert "Risk</td><td>91 of 100" in html and "0.91" not in html
    assert "Synthetic voice: 93 of 100" in html and "Step recorded: Call-back" in html
    assert "{" not in html.split("</style>", 1)[1]  # no raw JSON anywhere in the body
    assert "GB33BUKB20201555555555" in html and "Beneficiary IBAN" in html
    assert "<td>The caller pressed for urgency</td><td>yes</td>" in html
    for internal in ("one_time_code", "code_phrase", "hold_minutes", "voice_synthetic", "request.created"):
        assert internal not in html, internal
    assert "Call-back on the directory number" in html and "<td>Call-back</td>" in html
    assert "the call was judged high risk" in html
    assert not STORED.search(html)  # stored UTC times are shown as local ones…
    callback_at = pack["steps"][0]["at"]
    assert when(callback_at) in html and "(UTC+0530)" in when(callback_at)  # …with their offset
