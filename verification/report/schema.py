"""The report JSON schema shipped with the package, and validation against it."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema


@cache  # read-only after load: the schema file never changes at run time
def report_schema() -> dict[str, Any]:
    return json.loads(resources.files("verification.report").joinpath("report.schema.json").read_text())


def validate_report(report: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when `report` breaks the public contract."""
    jsonschema.validate(report, report_schema(), cls=jsonschema.Draft202012Validator)
