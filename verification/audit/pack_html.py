"""A self-contained, printable HTML page for an evidence pack (no scripts, no external resources)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

STYLE = """body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#111}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;
vertical-align:top}th{background:#f3f3f3}.ok{color:#075}.bad{color:#a00}code{font-size:.9em;word-break:break-all}
@media print{body{margin:0}}"""


def _e(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (dict, list)):
        return f"<code>{escape(json.dumps(value, sort_keys=True))}</code>"
    return escape(str(value))


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _step_rows(steps: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for step in steps:
        d = step["details"]
        if step["kind"] == "callback":
            what = (f"called {d.get('number')} ({d.get('phone_label')}) of {d['directory_entry']['name']}; number from: "
                    f"{d.get('number_source')}, entered by {d.get('number_entered_by')} at "
                    f"{d.get('number_entered_at')}; answered by {d.get('answered_by') or '—'}; confirmed: "
                    f"{', '.join(d.get('confirmed', [])) or 'nothing'}; outcome {d.get('outcome')}")
            if d.get("number_added_after_request"):
                what += " — NOTE: number added to the directory after the request arrived"
        elif step["kind"] == "approval":
            what = f"approved by {d.get('approver')}" + (f": {d['note']}" if d.get("note") else "")
        else:
            what = f"{d.get('method', step['kind'])}" + (f" — {d['failure']}" if d.get("failure") else "")
        rows.append([step["seq"], step["at"], step["actor"], step["kind"], step["outcome"], what])
    return rows


def render_pack_html(pack: dict[str, Any], verified: bool, problem: str | None) -> str:
    request = pack["request"]
    call = pack.get("call") or {}
    verdict = call.get("verdict") or {}
    reqs = (pack.get("policy") or {}).get("requirements") or {}
    status = ('<p class="ok">Verified: every record hash and signature and the pack signature check out.</p>'
              if verified else f'<p class="bad">NOT VERIFIED: {escape(problem or "unknown problem")}</p>')
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>Evidence pack: request {request['id']}</title>"
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Evidence pack — request {request['id']} ({escape(request['kind'])})</h1>", status,
        "<h2>Request</h2>",
        _table(["field", "value"], [["state", request["state"]], ["amount", f"{request['amount']} {request['currency']}"],
                                    ["counterparty", pack.get("counterparty")], ["requester", pack.get("requester")],
                                    ["beneficiary", request["beneficiary"]],
                                    ["number given in the request (never dialled)", request.get("claimed_contact")],
                                    ["checklist", request["checklist"]], ["held until", request.get("held_until")],
                                    ["expires", request.get("expires_at")], ["decided", request.get("decided_at")],
                                    ["reason", request.get("reason")]]),
        "<h2>Call</h2>",
        _table(["field", "value"], [["session", call.get("session")], ["verdict level", verdict.get("level")],
                                    ["risk", verdict.get("risk")], ["reasons", "; ".join(verdict.get("reasons", []))],
                                    ["report sha256", call.get("report_sha256")]]) if call else
        "<p>No analysed call is linked to this request.</p>",
        _table(["model", "sha256", "provider"], [[m["id"], m["sha256"], m["provider"]] for m in call.get("models", [])])
        if call.get("models") else "",
        f"<h2>Policy (version {_e(pack['policy']['version'])})</h2>",
        _table(["required", "why"], [[reqs.get("steps"), "; ".join(reqs.get("reasons", []))]]),
        "<h2>Steps</h2>",
        _table(["#", "at", "by", "step", "outcome", "provenance"], _step_rows(pack["steps"])),
        "<h2>Approvals</h2>",
        _table(["approver", "at", "note"], [[a["approver"], a["at"], a["note"]] for a in pack["approvals"]]),
        "<h2>History</h2>",
        _table(["#", "at", "by", "action", "state"],
               [[h["seq"], h["at"], h["actor"], h["action"], h["state"]] for h in pack["history"]]),
        "<h2>Integrity</h2>",
        f"<p>Pack signed by installation key <code>{escape(pack['signature']['key_id'])}</code> at "
        f"{escape(pack['generated_at'])}. Check it offline against your organisation's trust root: "
        f"<code>callshield audit verify-pack PACK.json --root ROOT.json</code> (the root from "
        f"<code>callshield audit trust-root --out</code>, its fingerprint confirmed by phone).</p>",
        "</body></html>",
    ]
    return "\n".join(parts)
