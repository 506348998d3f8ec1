"""Admin tab, models page: every model of the real manifest with its sha256 (short, full in the
tooltip), whether the file here verifies (checked by the engine, on the task runner), the provider
in use, the license, and the project's model cards as written."""

from __future__ import annotations

import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.controllers.admin_models import model_rows
from desktop.tasks import TaskRunner
from desktop.views.admin.models_page import ModelsPage
from verification.inference.manifest import ProjectSource, load_manifest
from verification.inference.verify import verify_all


def _page(qtbot: QtBot, model_dir: Path, loaded: dict[str, str]) -> ModelsPage:
    manifest = load_manifest()
    page = ModelsPage(TaskRunner(), lambda: model_rows(manifest, model_dir, loaded, ["CPUExecutionProvider"]))
    qtbot.addWidget(page)
    page.load()
    qtbot.waitUntil(lambda: page.loaded or page.status.text().startswith("Could not"), timeout=20_000)
    return page


def test_every_manifest_model_is_listed_with_its_sha256(qtbot: QtBot, tmp_path: Path) -> None:
    manifest = load_manifest()
    project = next(e for e in manifest.models if isinstance(e.source, ProjectSource))
    assert manifest.base_dir is not None
    shutil.copy(manifest.base_dir / project.source.path, tmp_path / project.file)  # one file present
    page = _page(qtbot, tmp_path, {project.id: "CPUExecutionProvider"})
    shown = page.shown()
    assert [row["id"] for row in shown] == manifest.ids
    for row, entry, status in zip(shown, manifest.models, verify_all(manifest, tmp_path)):
        assert row["sha256"] == entry.sha256 and row["short"] == entry.sha256[:12] + "…"
        assert row["license"] == entry.license
        assert row["file"] == ("verified" if status.valid else "MISMATCH" if status.present else "missing")
    by_id = {row["id"]: row for row in shown}
    assert by_id[project.id]["provider"] == "CPUExecutionProvider"
    others = [row for row in shown if row["id"] != project.id]
    assert all(row["provider"] == "CPUExecutionProvider (not loaded yet)" for row in others)
    assert page.status.text().startswith(f"{len(manifest.models)} models in the manifest; ")


def test_model_card_is_shown_as_written(qtbot: QtBot, tmp_path: Path) -> None:
    manifest = load_manifest()
    page = _page(qtbot, tmp_path, {})
    for row, entry in enumerate(manifest.models):
        page.table.setCurrentCell(row, 0)
        text = page.card.toPlainText()
        if isinstance(entry.source, ProjectSource):
            assert manifest.base_dir is not None
            card = (manifest.base_dir / entry.source.path).parent / "MODEL_CARD.md"
            heading = card.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
            assert heading in text
            assert page.shown()[row]["quality"] == f"in {card.parent.name}/MODEL_CARD.md"
        else:
            assert entry.license in text and "third-party, not measured" in text
