"""The required steps of a request as rows a clerk reads: what the step is, why the policy asks for it
(the engine's requirement reasons in plain words), done or missing, and who did it when.

Built only from request_view(...): "done" is the engine's own judgement (a step is missing exactly when
the engine lists it as missing), read from the verified signed statements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.views.local_time import local_time
from verification.workflow.plain_words import STEP_WORDS, reasons_by_step

#: the start of the engine's "missing" line for each step (verification/workflow/guards.missing_steps)
_MISSING_START = {"checklist": "checklist answers", "callback": "call-back", "one_time_code": "one-time code",
                  "code_phrase": "code phrase"}
_RECORD_KINDS = {"callback": {"callback"}, "one_time_code": {"code", "totp"}, "code_phrase": {"phrase"},
                 "approval": {"approval"}}
_CLOSED = {"rejected", "expired", "cancelled"}  # not released: done only where a step was recorded


@dataclass(frozen=True)
class StepRow:
    step: str  # STEP_WORDS key
    what: str
    why: str
    done: bool
    by: str  # "alan at 2026-03-01 10:15:02" or ""


def shown_as_row(missing: str) -> bool:
    """Whether one of the engine's "missing" lines is a row of the steps table (else the caller shows it)."""
    return missing.startswith(tuple(_MISSING_START.values())) or "more approval(s)" in missing


def _who(record: dict[str, Any]) -> str:
    return f"{record['actor']} at {local_time(record['at'])}"


def step_rows(view: dict[str, Any]) -> list[StepRow]:
    reqs = view.get("requirements") or {}
    need = reqs.get("steps") or {}
    why = reasons_by_step(list(reqs.get("reasons") or []))
    missing = [str(m) for m in view.get("missing") or []]
    ok = [s for s in view.get("steps") or [] if s.get("outcome") == "ok"]
    rows: list[StepRow] = []

    def because(step: str) -> str:
        return "; ".join(dict.fromkeys(why.get(step, []))) or "the policy"

    for step in ("checklist", "callback", "one_time_code", "code_phrase"):
        if not need.get(step):
            continue
        is_missing = any(m.startswith(_MISSING_START[step]) for m in missing)
        if view.get("state") in _CLOSED and step != "checklist":  # the engine no longer lists what is missing
            is_missing = not any(s["kind"] in _RECORD_KINDS[step] for s in ok)
        if step == "checklist":
            by = "" if is_missing else f"{view.get('requester', '')} at {local_time(view.get('submitted_at'))}"
        else:
            done = [s for s in ok if s["kind"] in _RECORD_KINDS[step]]
            by = _who(done[-1]) if done and not is_missing else ""
        rows.append(StepRow(step, STEP_WORDS[step], because(step), not is_missing, by))
    approvals = int(need.get("approvals") or 0)
    given = [s for s in ok if s["kind"] == "approval"]
    short = next((int(m.split(" ", 1)[0]) for m in missing if "more approval(s)" in m), 0)  # the engine's count
    if view.get("state") in _CLOSED:
        short = max(0, approvals - len(given))
    for n in range(approvals):
        done = n < approvals - short
        record = given[n] if done and n < len(given) else None
        rows.append(StepRow("approval", f"{STEP_WORDS['approval']} ({n + 1} of {approvals})", because("approval"),
                            done, _who(record) if record else ""))
    if need.get("hold_minutes"):
        left = float(view.get("hold_remaining_minutes") or 0)
        rows.append(StepRow("hold", f"{STEP_WORDS['hold']} ({need['hold_minutes']} min)", because("hold"),
                            left <= 0, f"until {local_time(view.get('held_until'))}" if view.get("held_until") else ""))
    return rows
