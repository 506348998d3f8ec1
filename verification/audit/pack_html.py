"""A self-contained, printable HTML page for an evidence pack (no scripts, no external resources), written
for an auditor: tables, times in the reader's local time with their UTC offset, the app's own words
("91 of 100", "Call-back", "One-time code") and never raw JSON. Every value from the pack is escaped."""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from typing import Any

from verification.fusion.reasons import plain_name
from verification.workflow.plain_words import (BENEFICIARY_WORDS, CHECKLIST_QUESTIONS, KIND_WORDS, LEVEL_WORDS,
                                               STEP_KIND_WORDS, STEP_WORDS, history_words, reasons_by_step, risk_words,
                                               verdict_reason_words, words)

STYLE = """body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#111}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;
vertical-align:top}th{background:#f3f3f3;width:auto}.ok{color:#075}.bad{color:#a00}code{font-size:.9em;word-break:break-all}
@media print{body{margin:0}}"""


def when(stamp: Any) -> str:
    """A stored UTC time as this reader's local time to the second, with its offset (unambiguous on paper)."""
    if not stamp:
        return "—"
    try:
        moment = datetime.fromisoformat(str(stamp).strip().replace("Z", "+00:00"))
    except ValueError:
        return str(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S (UTC%z)")


def _text(value: Any) -> str:
    """Plain text for one cell: lists joined, mappings as "key: value" pairs, nothing as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return "; ".join(f"{words(str(k))}: {_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value) or "—"
    return str(value)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(_text(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _step_what(step: dict[str, Any]) -> str:
    d = step["details"]
    if step["kind"] == "callback":
        entry = (d.get("directory_entry") or {}).get("name", "")
        what = (f"Called {d.get('number')} ({d.get('phone_label')}) of {entry}. Number from: {d.get('number_source')}, "
                f"entered by {d.get('number_entered_by')} at {when(d.get('number_entered_at'))}. Answered by "
                f"{d.get('answered_by') or '—'}; confirmed: {', '.join(d.get('confirmed', [])) or 'nothing'}; "
                f"outcome: {words(str(d.get('outcome')))}.")
        if d.get("number_added_after_request"):
            what += " NOTE: the number was added to the directory after the request arrived."
        return what
    if step["kind"] == "approval":
        return f"Approved by {d.get('approver')}" + (f": {d['note']}" if d.get("note") else "")
    method = STEP_KIND_WORDS.get(str(d.get("method", step["kind"])), words(str(d.get("method", step["kind"]))))
    return method + (f" — {d['failure']}" if d.get("failure") else "")


def _request_rows(pack: dict[str, Any]) -> list[list[Any]]:
    request = pack["request"]
    beneficiary = request.get("beneficiary") or {}
    rows: list[list[Any]] = [
        ["Kind", KIND_WORDS.get(request["kind"], words(request["kind"]))], ["State", str(request["state"]).upper()],
        ["Amount", f"{request['amount']} {request['currency']}"], ["Counterparty", pack.get("counterparty")],
        ["Requested by", pack.get("requester")]]
    rows += [[f"Beneficiary {BENEFICIARY_WORDS.get(k, words(k))}", v] for k, v in beneficiary.items()]
    rows += [["Number given in the request (never dialled)", request.get("claimed_contact")],
             ["Held until", when(request.get("held_until"))], ["Expires", when(request.get("expires_at"))],
             ["Decided", when(request.get("decided_at"))], ["Reason", request.get("reason")]]
    return rows


def _call_html(call: dict[str, Any]) -> str:
    if not call:
        return "<p>No analysed call is linked to this request.</p>"
    verdict = call.get("verdict") or {}
    level = str(verdict.get("level", "unknown"))
    table = _table(["", ""], [["Call", call.get("session")], ["Verdict", LEVEL_WORDS.get(level, words(level))],
                              ["Risk", risk_words(verdict.get("risk"))],
                              ["Why", "; ".join(verdict_reason_words(str(r)) for r in verdict.get("reasons", []))
                               or "no reasons given"],
                              ["Report fingerprint (SHA-256)", call.get("report_sha256")]])
    models = call.get("models") or []
    return table + (_table(["Detector", "Model fingerprint (SHA-256)", "Ran on"],
                           [[plain_name(str(m["id"])), m["sha256"], m["provider"]] for m in models]) if models else "")


def _required_rows(reqs: dict[str, Any]) -> list[list[Any]]:
    steps = reqs.get("steps") or {}
    why = reasons_by_step(list(reqs.get("reasons") or []))
    rows = []
    for name in ("checklist", "callback", "one_time_code", "code_phrase"):
        if steps.get(name):
            rows.append([STEP_WORDS[name], "; ".join(dict.fromkeys(why.get(name, []))) or "the policy"])
    if steps.get("approvals"):
        rows.append([f"{STEP_WORDS['approval']} ({steps['approvals']})",
                     "; ".join(dict.fromkeys(why.get("approval", []))) or "the policy"])
    if steps.get("hold_minutes"):
        rows.append([f"{STEP_WORDS['hold']} ({steps['hold_minutes']} min)",
                     "; ".join(dict.fromkeys(why.get("hold", []))) or "the policy"])
    return rows or [["Nothing beyond the request itself", "the policy"]]


def render_pack_html(pack: dict[str, Any], verified: bool, problem: str | None) -> str:
    request = pack["request"]
    reqs = (pack.get("policy") or {}).get("requirements") or {}
    checklist = request.get("checklist") or {}
    status = ('<p class="ok">Verified: every record hash and signature and the pack signature check out.</p>'
              if verified else f'<p class="bad">NOT VERIFIED: {escape(problem or "unknown problem")}</p>')
    kind = KIND_WORDS.get(request["kind"], words(request["kind"]))
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>Evidence pack: request {escape(str(request['id']))}"
        f"</title><style>{STYLE}</style></head><body>",
        f"<h1>Evidence pack — request {escape(str(request['id']))} ({escape(kind)})</h1>", status,
        f"<p>Times are shown in the reader's local time, generated {escape(when(pack.get('generated_at')))}.</p>",
        "<h2>Request</h2>", _table(["", ""], _request_rows(pack)),
        "<h2>Red-flag checklist</h2>",
        _table(["Question", "Answer"], [[CHECKLIST_QUESTIONS.get(k, words(k)), "yes" if v else "no"]
                                        for k, v in checklist.items()]) if checklist else "<p>Not answered.</p>",
        "<h2>Call</h2>", _call_html(pack.get("call") or {}),
        f"<h2>Required steps (policy version {escape(_text(pack['policy']['version']))})</h2>",
        _table(["Step", "Why it is required"], _required_rows(reqs)),
        "<h2>Steps recorded</h2>",
        _table(["#", "When", "By", "Step", "Outcome", "What was done"],
               [[s["seq"], when(s["at"]), s["actor"], STEP_KIND_WORDS.get(s["kind"], words(s["kind"])),
                 words(str(s["outcome"])), _step_what(s)] for s in pack["steps"]]),
        "<h2>Approvals</h2>",
        _table(["Approver", "When", "Note"], [[a["approver"], when(a["at"]), a["note"]] for a in pack["approvals"]]),
        "<h2>History</h2>",
        _table(["#", "When", "By", "What happened", "State after"],
               [[h["seq"], when(h["at"]), h["actor"], history_words(str(h["action"])), str(h["state"]).upper()]
                for h in pack["history"]]),
        "<h2>Integrity</h2>",
        f"<p>Pack signed by installation key <code>{escape(pack['signature']['key_id'])}</code> at "
        f"{escape(when(pack['generated_at']))}. Check it offline against your organisation's trust root: "
        f"<code>callshield audit verify-pack PACK.json --root ROOT.json</code> (the root from "
        f"<code>callshield audit trust-root --out</code>, its fingerprint confirmed by phone).</p>",
        "</body></html>",
    ]
    return "\n".join(parts)
