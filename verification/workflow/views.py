"""Read-only views of requests for the CLI and the desktop: what is held, what is missing, why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from verification.errors import AuthError
from verification.store.clock import Clock, parse_time
from verification.store.tables import requests
from verification.trust.records import TrustState
from verification.trust.root import RootPins
from verification.trust.store import trust_state
from verification.workflow.beneficiary import name_red_flags
from verification.workflow.directory import entry_by_id
from verification.workflow.evidence import Evidence, gather
from verification.workflow.guards import index_steps, missing_steps
from verification.workflow.request import ActionRequest, load_request
from verification.workflow.states import FINAL
from verification.workflow.users import user_by_id


def request_view(connection: Connection, request_id: int, clock: Clock, pins: RootPins | None,
                 trust: TrustState | None = None) -> dict[str, Any]:
    """What is held, done and missing, from the verified statements; on a machine that cannot verify them
    (no pinned root) the steps are shown from the index, marked unverified, and nothing counts as done."""
    request = load_request(connection, request_id)
    try:
        evidence: Evidence | None = gather(connection, request, pins, trust)
    except AuthError as error:
        evidence, unverifiable = None, str(error)
    records = evidence.records if evidence is not None else index_steps(connection, request_id)
    now = clock()
    view = request.summary()
    view["counterparty"] = entry_by_id(connection, request.counterparty_id).name
    view["requester"] = user_by_id(connection, request.requester_id).name
    view["call"] = request.call
    view["red_flags"] = name_red_flags(request.beneficiary, view["counterparty"])
    view["steps"] = [{**r.as_dict(), "actor": user_by_id(connection, r.actor_id).name} for r in records]
    live = request.state not in FINAL
    if evidence is None:
        view["missing"] = [f"steps cannot be verified here: {unverifiable}"] if live else []
        view["problems"] = [unverifiable]
    else:
        view["missing"] = missing_steps(request, evidence, now) if live else []
        view["problems"] = evidence.problems
    view["hold_remaining_minutes"] = (
        round(max(0.0, (parse_time(request.held_until) - now).total_seconds() / 60), 1)
        if live and request.held_until else 0.0)
    return view


def request_views(connection: Connection, request_ids: list[int], clock: Clock,
                  pins: RootPins | None) -> list[dict[str, Any]]:
    """Views of several requests with the trust records replayed once, not once per request."""
    try:
        trust: TrustState | None = trust_state(connection, pins)
    except AuthError:
        trust = None  # each view then says why its steps cannot be verified here
    return [request_view(connection, request_id, clock, pins, trust) for request_id in request_ids]


def list_requests(connection: Connection, state: str | None = None, limit: int = 200) -> list[ActionRequest]:
    query = select(requests).order_by(requests.c.id.desc()).limit(limit)
    if state:
        query = query.where(requests.c.state == state)
    return [ActionRequest.from_row(row) for row in connection.execute(query)]


def describe(view: dict[str, Any]) -> str:
    lines = [f"request {view['id']}: {view['kind']} {view['amount']} {view['currency']} to {view['counterparty']} "
             f"— {view['state'].upper()}",
             f"  requested by {view['requester']}; call verdict {view['verdict_level']}; policy v{view['policy_version']}"]
    if view.get("red_flags"):
        lines.append("  RED FLAGS: " + "; ".join(view["red_flags"]))
    reqs = view.get("requirements")
    if reqs:
        lines.append("  required because: " + "; ".join(reqs["reasons"]))
    for step in view["steps"]:
        lines.append(f"  step {step['kind']} {step['outcome']} by {step['actor']} at {step['at']}")
    for problem in view.get("problems") or []:
        lines.append(f"  NOT VALID: {problem}")
    if view["missing"]:
        lines.append("  missing: " + "; ".join(view["missing"]))
    if view["hold_remaining_minutes"]:
        lines.append(f"  cooling-off hold: {view['hold_remaining_minutes']} min left (until {view['held_until']})")
    if view.get("reason"):
        lines.append(f"  reason: {view['reason']}")
    return "\n".join(lines)
