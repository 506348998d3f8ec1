"""Read a policy document (JSON) into a validated Policy; errors name the offending field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from verification.audit.canonical import canonical_json
from verification.errors import PolicyError
from verification.json_input import read_json_file
from verification.policy.migrations import migrate_document
from verification.policy.schema import Policy


def policy_from_document(doc: Any) -> Policy:
    if not isinstance(doc, dict):
        raise PolicyError("policy must be a JSON object")
    migrated = migrate_document(doc)
    try:
        return Policy.model_validate(migrated)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(document)"
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise PolicyError(f"policy field {where}: {first['msg']}{more}") from error


def read_policy_file(path: Path) -> dict[str, Any]:
    doc = read_json_file(path, "policy", PolicyError)
    policy_from_document(doc)  # refuse early, naming the field
    return doc


def policy_document(policy: Policy) -> dict[str, Any]:
    """Plain JSON value of a Policy (decimals as strings), ready for canonical_json."""
    return json.loads(canonical_json(policy.model_dump(mode="json")))
