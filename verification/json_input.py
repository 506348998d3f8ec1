"""JSON documents from files a user names (reports, policies, evidence packs, embeddings).

They are untrusted: bounded in size, and in nesting depth both while parsing (the parser recurses,
so 100,000 `[` raise RecursionError) and after (code that walks the value recurses too).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from verification.errors import CallShieldError

MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64


def nesting_depth(value: Any) -> int:
    """Depth of lists and objects, walked without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def parse_json(text: str, what: str, error: type[CallShieldError], max_depth: int = MAX_DEPTH) -> Any:
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise error(f"{what} is nested too deeply (at most {max_depth} levels)") from exc
    except ValueError as exc:
        raise error(f"{what} is not valid JSON: {exc}") from exc
    if nesting_depth(value) > max_depth:
        raise error(f"{what} is nested too deeply (at most {max_depth} levels)")
    return value


def read_json_file(path: Path, what: str, error: type[CallShieldError], max_depth: int = MAX_DEPTH,
                   max_bytes: int = MAX_BYTES) -> Any:
    """The parsed document, or `error` with one line naming the file and what is wrong with it."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    if len(raw) > max_bytes:
        raise error(f"{what} {path} is larger than {max_bytes // (1024 * 1024)} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{what} {path} is not UTF-8 text") from exc
    return parse_json(text, f"{what} {path}", error, max_depth)
