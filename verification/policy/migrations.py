"""Policy documents by schema_version: each migration turns version N into N+1, applied in order.

Documents are stored and signed exactly as written; migration happens in memory at load, so an
old signed policy stays verifiable after an upgrade.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

from verification.errors import PolicyError
from verification.policy.schema import SCHEMA_VERSION

Document = dict[str, Any]


def _v1_to_v2(doc: Document) -> Document:
    """v1 had one currency (`currency` + `tiers`) and no rule for requests without a call."""
    out = copy.deepcopy(doc)
    currency = out.pop("currency")
    out["amount_tiers"] = {currency: out.pop("tiers")}
    verdict = out.setdefault("verdict", {})
    # Fail closed: a request without a call was treated like an unjudged call in v1.
    verdict.setdefault("no_call", copy.deepcopy(verdict.get("unknown", out.get("full_procedure"))))
    out["schema_version"] = 2
    return out


MIGRATIONS: dict[int, Callable[[Document], Document]] = {1: _v1_to_v2}


def migrate_document(doc: Document) -> Document:
    version = doc.get("schema_version")
    if not isinstance(version, int):
        raise PolicyError("policy field schema_version: missing or not an integer")
    if version > SCHEMA_VERSION:
        raise PolicyError(f"policy field schema_version: {version} is newer than this CallShield "
                          f"understands ({SCHEMA_VERSION}); upgrade CallShield")
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise PolicyError(f"policy field schema_version: no migration from version {version}")
        try:
            doc = step(doc)
        except (KeyError, TypeError, AttributeError) as error:
            raise PolicyError(f"policy schema_version {version} document is malformed: missing {error}") from error
        version = doc["schema_version"]
    return doc
