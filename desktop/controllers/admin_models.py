"""The models page's rows: the AI bill of materials (`callshield models list`) with whether each file
verifies right now, the execution provider in use, and the project's own model cards. Qt-free.

Quality figures are the model cards' own text, shown as written: the page does not pick a number
out of them, since a card reports several (per generator, per corpus) and a single one would hide
the weak spots the card spells out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from verification.inference.bom import build_bom
from verification.inference.manifest import Manifest

CARD_NAME = "MODEL_CARD.md"

#: model id -> provider of its loaded session (only models loaded in this run)
LoadedProviders = Callable[[], Mapping[str, str]]


@dataclass(frozen=True)
class ModelRow:
    id: str
    version: str
    sha256: str
    state: str  # "verified", "missing", "MISMATCH"
    provider: str
    license: str
    description: str
    attribution: str
    card: Path | None
    card_text: str | None

    @property
    def quality(self) -> str:
        if self.card_text is not None and self.card is not None:
            return f"in {self.card.parent.name}/{self.card.name}"
        if self.card is not None:
            return f"model card missing: {self.card}"
        return "third-party, not measured"


def _version(source: Mapping[str, Any]) -> str:
    if source.get("kind") == "package":
        return str(source.get("requirement", ""))
    return "trained by this project"


def _card(source: Mapping[str, Any], base_dir: Path | None) -> tuple[Path | None, str | None]:
    if source.get("kind") != "project" or base_dir is None:
        return None, None
    card = base_dir / Path(str(source["path"])).parent / CARD_NAME
    try:
        return card, card.read_text(encoding="utf-8")
    except OSError:
        return card, None


def _state(item: Mapping[str, Any]) -> str:
    if item["valid"]:
        return "verified"
    return "MISMATCH" if item["present"] else "missing"


def model_rows(manifest: Manifest, model_dir: Path, loaded: Mapping[str, str], chosen: list[str]) -> list[ModelRow]:
    """Hashes every model file (slow for large files): call it on the task runner."""
    bom = build_bom(manifest, model_dir)
    default = f"{chosen[0]} (not loaded yet)" if chosen else "not loaded yet"
    rows = []
    for item in bom["models"]:
        card, text = _card(item["source"], manifest.base_dir)
        rows.append(ModelRow(item["id"], _version(item["source"]), item["sha256"], _state(item),
                             loaded.get(item["id"], default), item["license"], item["description"],
                             item["attribution"], card, text))
    return rows
