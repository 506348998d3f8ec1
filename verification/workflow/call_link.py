"""The link from a request to the call it came from: a summary of the call's `callshield.report/1`
report (verdict, model hashes) that every audit record about the request carries.

A verdict counts only when the report's detached signature (report/signature.py) is valid by an installation
key an admin registered and matches the report's sha256 and verdict; any other linked report counts as
"no call judged" (`no_call`), so the full no-call procedure applies."""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import Connection

from verification.errors import WorkflowRefused
from verification.report.signature import report_sha256, signature_problem
from verification.trust.installations import installation_keys
from verification.trust.root import RootPins

REPORT_SCHEMA = "callshield.report/1"
LEVELS = ("low", "elevated", "high", "unknown")


def _check_shape(report: Any) -> None:
    """The parts read below have the types read below: a file is not trusted to be a real report."""
    if not isinstance(report, Mapping):
        raise WorkflowRefused(f"the linked report is not a {REPORT_SCHEMA} object (a JSON object)")
    verdict = report.get("verdict")
    reasons = verdict.get("reasons") if isinstance(verdict, Mapping) else None
    if reasons is not None and (not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons)):
        raise WorkflowRefused("the linked report's verdict reasons must be a list of text")
    if isinstance(verdict, Mapping) and verdict.get("risk") is not None and (
            isinstance(verdict["risk"], bool) or not isinstance(verdict["risk"], (int, float))):
        raise WorkflowRefused("the linked report's verdict risk must be a number")
    for key, kind in (("models", list), ("input", Mapping)):
        if report.get(key) is not None and not isinstance(report[key], kind):
            raise WorkflowRefused(f"the linked report's {key} must be a JSON {'array' if kind is list else 'object'}")


def summarise_report(report: Mapping[str, Any], session: str | None = None,
                     signature: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`signature`: the report's detached signature (REPORT.json.sig), carried along for the engine to check."""
    _check_shape(report)
    if report.get("schema") != REPORT_SCHEMA:
        raise WorkflowRefused(f"the linked report is not a {REPORT_SCHEMA} object")
    verdict = report.get("verdict")
    if not isinstance(verdict, Mapping):
        raise WorkflowRefused("the linked report has no verdict")
    level = verdict.get("level")
    models = [{"id": str(m.get("id")), "sha256": str(m.get("sha256")), "provider": str(m.get("provider"))}
              for m in report.get("models") or [] if isinstance(m, Mapping)]
    source = report.get("input") or {}
    try:
        digest = report_sha256(report)
    except ValueError as error:  # NaN or Infinity somewhere: not representable in canonical JSON
        raise WorkflowRefused(f"the linked report cannot be hashed canonically: {error}") from error
    summary = {
        "session": session or str(source.get("path") or "call"),
        "report_sha256": digest,
        # A level we do not know is treated as a call that could not be judged (fail closed).
        "verdict": {"risk": verdict.get("risk"), "level": level if level in LEVELS else "unknown",
                    "reasons": [str(r) for r in verdict.get("reasons") or []]},
        "models": models,
        "input": {"path": source.get("path"), "duration_s": source.get("duration_s")},
    }
    if signature is not None:
        summary["signature"] = dict(signature)
    return summary


def unjudged_reason(connection: Connection, call: Mapping[str, Any] | None, pins: RootPins | None) -> str | None:
    """None when the call's verdict counts; else why it counts as no call judged."""
    if not call:
        return "no call report linked"
    verdict = call.get("verdict")
    if not isinstance(verdict, Mapping):
        return "the linked report has no verdict"
    signed = {"level": verdict.get("level"), "risk": verdict.get("risk")}
    return signature_problem(call.get("signature"), str(call.get("report_sha256")), signed,
                             installation_keys(connection, pins))


def verdict_level(connection: Connection, call: Mapping[str, Any] | None, pins: RootPins | None) -> str:
    """The level policy reads: the call's own only when an installation admins registered signed it."""
    if not call or unjudged_reason(connection, call, pins) is not None:
        return "no_call"
    return str(call["verdict"]["level"])
