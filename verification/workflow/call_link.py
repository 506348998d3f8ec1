"""The link from a request to the call it came from: a summary of the call's `callshield.report/1`
report (verdict, model hashes) that every audit record about the request carries."""

from __future__ import annotations

from typing import Any, Mapping

from verification.audit.canonical import canonical_bytes, sha256_hex
from verification.errors import WorkflowRefused

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


def summarise_report(report: Mapping[str, Any], session: str | None = None) -> dict[str, Any]:
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
        digest = sha256_hex(canonical_bytes(dict(report)))
    except ValueError as error:  # NaN or Infinity somewhere: not representable in canonical JSON
        raise WorkflowRefused(f"the linked report cannot be hashed canonically: {error}") from error
    return {
        "session": session or str(source.get("path") or "call"),
        "report_sha256": digest,
        # A level we do not know is treated as a call that could not be judged (fail closed).
        "verdict": {"risk": verdict.get("risk"), "level": level if level in LEVELS else "unknown",
                    "reasons": [str(r) for r in verdict.get("reasons") or []]},
        "models": models,
        "input": {"path": source.get("path"), "duration_s": source.get("duration_s")},
    }


def verdict_level(call: Mapping[str, Any] | None) -> str:
    if not call:
        return "no_call"
    return str(call["verdict"]["level"])
