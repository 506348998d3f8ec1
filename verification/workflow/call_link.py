"""The link from a request to the call it came from: a summary of the call's `callshield.report/1`
report (verdict, model hashes) that every audit record about the request carries."""

from __future__ import annotations

from typing import Any, Mapping

from verification.audit.canonical import canonical_bytes, sha256_hex
from verification.errors import WorkflowRefused

REPORT_SCHEMA = "callshield.report/1"
LEVELS = ("low", "elevated", "high", "unknown")


def summarise_report(report: Mapping[str, Any], session: str | None = None) -> dict[str, Any]:
    if report.get("schema") != REPORT_SCHEMA:
        raise WorkflowRefused(f"the linked report is not a {REPORT_SCHEMA} object")
    verdict = report.get("verdict")
    if not isinstance(verdict, Mapping):
        raise WorkflowRefused("the linked report has no verdict")
    level = verdict.get("level")
    models = [{"id": str(m.get("id")), "sha256": str(m.get("sha256")), "provider": str(m.get("provider"))}
              for m in report.get("models") or [] if isinstance(m, Mapping)]
    source = report.get("input") or {}
    return {
        "session": session or str(source.get("path") or "call"),
        "report_sha256": sha256_hex(canonical_bytes(dict(report))),
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
