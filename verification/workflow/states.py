"""Request states and the transition table; every state change goes through `next_state`."""

from __future__ import annotations

from enum import Enum

from verification.errors import WorkflowRefused


class State(str, Enum):
    DRAFT = "draft"
    HELD = "held"  # waiting for the steps its policy requires
    APPROVED = "approved"  # every step done; released once the hold has run out
    RELEASED = "released"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


FINAL = frozenset({State.RELEASED, State.REJECTED, State.EXPIRED, State.CANCELLED})

TRANSITIONS: dict[tuple[State, str], State] = {
    (State.DRAFT, "submit"): State.HELD,
    (State.DRAFT, "cancel"): State.CANCELLED,
    (State.HELD, "complete"): State.APPROVED,
    (State.HELD, "reject"): State.REJECTED,
    (State.HELD, "cancel"): State.CANCELLED,
    (State.HELD, "expire"): State.EXPIRED,
    (State.APPROVED, "reopen"): State.HELD,  # requirements went up after a late checklist answer
    (State.APPROVED, "release"): State.RELEASED,
    (State.APPROVED, "reject"): State.REJECTED,
    (State.APPROVED, "cancel"): State.CANCELLED,
    (State.APPROVED, "expire"): State.EXPIRED,
}


def next_state(state: State, action: str, request_id: int) -> State:
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise WorkflowRefused(f"request {request_id} is {state.value}: cannot {action} it")
    return target
