"""Field-by-field differences between two policy documents, named by the schema's own titles, with
the rows the engine's weakening rules flag. Qt-free: the policy page shows the rows, tests read them.

The engine compares amount tiers by what they require at every tier boundary, not tier by tier,
so a weakening it reports as `amount_tiers.EUR[>=10000].approvals` marks the changed rows of that
currency's tiers; its own lines are always shown beside the table too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MISSING = "—"


@dataclass(frozen=True)
class DiffRow:
    path: str  # dotted document path, list items by index: "amount_tiers.EUR.1.steps.approvals"
    title: str  # the schema's titles: "Amount tiers per currency › EUR #2 › Required steps › Second approvers"
    old: str
    new: str
    weakening: bool


def resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Follow a `$ref` into `$defs`, keeping the referring field's own title and description."""
    ref = schema.get("$ref")
    if not ref:
        return schema
    target = defs[ref.rsplit("/", 1)[-1]]
    return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf values by dotted path; an empty dict or list is a leaf of its own."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix: value}


def title_of(path: str, schema: dict[str, Any]) -> str:
    """The schema's titles along `path`; map keys (currencies) and list positions as themselves."""
    defs = schema.get("$defs", {})
    node = resolve(schema, defs)
    parts: list[str] = []
    for segment in path.split("."):
        if node.get("type") == "array" or "items" in node:
            parts[-1:] = [f"{parts[-1] if parts else ''} #{int(segment) + 1}".strip()]
            node = resolve(node.get("items", {}), defs)
        elif segment in node.get("properties", {}):
            node = resolve(node["properties"][segment], defs)
            parts.append(str(node.get("title", segment)))
        elif isinstance(node.get("additionalProperties"), dict):
            node = resolve(node["additionalProperties"], defs)
            parts.append(segment)
        else:
            node = {}
            parts.append(segment)
    return " › ".join(parts)


def show_value(value: Any) -> str:
    if value is MISSING:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value == [] or value == {}:
        return "(empty)"
    return str(value)


def _flagged(path: str, weakened: list[str]) -> bool:
    if path in weakened:
        return True
    parts = path.split(".")
    if parts[0] == "amount_tiers" and len(parts) > 1:
        # tiers: the engine names a boundary, not a list position (see the module docstring)
        currency_lines = [w for w in weakened if w.startswith(f"amount_tiers.{parts[1]}[")]
        return any(parts[-1] in ("at_least", parts[1]) or w.endswith(f".{parts[-1]}") for w in currency_lines)
    return False


def weakened_paths(weakenings: list[str]) -> list[str]:
    """The engine's lines are 'path: old -> new'; keep the paths."""
    return [line.split(":", 1)[0].strip() for line in weakenings]


def policy_diff(old: dict[str, Any], new: dict[str, Any], schema: dict[str, Any],
                weakenings: list[str]) -> list[DiffRow]:
    """Every leaf that differs, in the new document's order, then those only in the old one."""
    before, after = flatten(old), flatten(new)
    paths = list(after) + [p for p in before if p not in after]
    weakened = weakened_paths(weakenings)
    rows = []
    for path in paths:
        was, now = before.get(path, MISSING), after.get(path, MISSING)
        if was == now and type(was) is type(now):
            continue
        rows.append(DiffRow(path, title_of(path, schema), show_value(was), show_value(now), _flagged(path, weakened)))
    return rows
