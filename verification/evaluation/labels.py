"""Labelled media lists for evaluation: CSV with `path,label` (+ optional grouping columns)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from verification.errors import ConfigError

LABELS = {"bonafide": 0, "spoof": 1}
GROUP_COLUMNS = ("source", "system")  # results are broken down by these when present
PERSON_COLUMNS = ("speaker", "identity", "speaker_or_identity")  # bootstrap resamples whole persons


@dataclass(frozen=True)
class LabelledItem:
    path: Path
    label: int
    groups: dict[str, str] = field(default_factory=dict)
    person: str | None = None


def read_labels(csv_path: Path, data_dir: Path) -> list[LabelledItem]:
    try:
        with open(csv_path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            if "path" not in columns or "label" not in columns:
                raise ConfigError(f"{csv_path}: needs columns 'path' and 'label' (found: {', '.join(columns) or 'none'})")
            items = []
            for line, row in enumerate(reader, start=2):
                label = (row["label"] or "").strip().split(";")[0]
                if label not in LABELS:
                    raise ConfigError(f"{csv_path}:{line}: label must be 'bonafide' or 'spoof', got {row['label']!r}")
                person = next((row[c] for c in PERSON_COLUMNS if c in row and row[c]), None)
                groups = {c: row[c] for c in GROUP_COLUMNS if c in row and row[c]}
                items.append(LabelledItem(data_dir / row["path"], LABELS[label], groups, person))
    except OSError as exc:
        raise ConfigError(f"{csv_path}: cannot read labels ({exc.strerror or exc})") from None
    if not items:
        raise ConfigError(f"{csv_path}: no rows")
    return items
