"""Admin tab, policy editor, on a real SQLite workflow database: the form is built from the policy
schema, the engine's validation error shows in one line, the diff against the active policy shows
old -> new with the engine's weakenings marked, and the two-admin flow of the engine holds."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QLineEdit, QListWidget, QPushButton,
                               QSpinBox)
from pytestqt.qtbot import QtBot

from desktop.controllers.policy_diff import resolve
from desktop.views.admin.schema_form import SchemaForm
from tests.desktop.admin_world import AdminWorld, admin_page, admin_world  # noqa: F401 - fixture
from tests.desktop.workflow_world import desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD
from verification.policy.active import load_active_policy
from verification.policy.schema import Limits, Policy
from verification.policy.steps import Steps


def _active_version(world: AdminWorld) -> int:
    with world.desk.ctx.database.reading() as connection:
        return load_active_policy(connection).version


def test_form_is_built_from_the_policy_schema(qtbot: QtBot, admin_world: AdminWorld) -> None:
    tab = admin_page(qtbot, admin_world, "ada")
    page = tab.policy
    schema = Policy.model_json_schema()
    # the root's nested groups are tabs named by the schema's titles, in the schema's order
    tabs = page.form.root.tabs
    assert tabs is not None
    nested = [resolve(p, schema["$defs"])["title"] for name, p in schema["properties"].items()
              if name not in ("schema_version", "name")]
    assert "Amount tiers per currency" in nested and "Call verdict" in nested
    assert [tabs.tabText(i) for i in range(tabs.count())] == nested
    # a field's title and description come from the schema; bounds from its minimum and maximum
    field = Limits.model_fields["code_max_failures"]
    editor = page.form.find("limits.code_max_failures")
    assert editor is not None and isinstance(editor.widget, QSpinBox)
    assert field.title in [label.text() for label in page.form.widget.findChildren(QLabel)]
    assert editor.widget.toolTip() == field.description
    assert editor.widget.accessibleName() == f"Limits, {field.title}"
    assert (editor.widget.minimum(), editor.widget.maximum()) == (1, 10)
    # booleans are check boxes labelled with their title; the loaded values are the active policy's
    callback = page.form.find("verdict.high.callback")
    assert isinstance(callback.widget, QCheckBox) and callback.widget.text() == Steps.model_fields["callback"].title
    assert callback.widget.isChecked()
    assert page.form.value() == page.admin.active_document()
    assert page.diff_rows() == [] and page.error.text() == ""


class _Sample(BaseModel):
    mode: Literal["strict", "lenient"] = Field("strict", title="Mode", description="How strict.")
    tags: list[str] = Field(default_factory=list, title="Tags", description="Free words.")
    ratio: float = Field(0.5, ge=0, le=1, title="Ratio", description="A share.")
    label: str = Field("", title="Label", description="A name.")


def test_widgets_follow_the_json_schema_types(qtbot: QtBot) -> None:
    form = SchemaForm(_Sample.model_json_schema(), lambda: None)
    qtbot.addWidget(form.widget)
    assert isinstance(form.find("mode").widget, QComboBox)
    assert isinstance(form.find("ratio").widget, QDoubleSpinBox) and form.find("ratio").widget.maximum() == 1
    assert isinstance(form.find("label").widget, QLineEdit)
    tags = form.find("tags")
    assert tags.widget.findChild(QListWidget) is not None
    form.set_value({"mode": "lenient", "tags": ["a", "b"], "ratio": 0.25, "label": "x"})
    assert form.value() == {"mode": "lenient", "tags": ["a", "b"], "ratio": 0.25, "label": "x"}
    assert _Sample.model_validate(form.value()).mode == "lenient"


def test_invalid_value_shows_the_engines_error_in_one_line(qtbot: QtBot, admin_world: AdminWorld) -> None:
    tab = admin_page(qtbot, admin_world, "ada")
    page = tab.policy
    page.form.find("name").widget.setText("")
    assert not page.recheck()
    assert page.error.text() == "policy field name: String should have at least 1 character"
    assert "\n" not in page.error.text() and not page.propose_button.isEnabled()
    assert page.form.find("name").widget.styleSheet()  # the field named is outlined
    page.form.find("name").widget.setText("Ours")
    page.form.find("verdict.unknown.callback").widget.setChecked(False)  # fail-closed rule of the schema
    assert not page.recheck()
    assert "verdict.unknown must cover full_procedure (fail closed)" in page.error.text()
    assert not page.form.find("name").widget.styleSheet()
    page.propose()  # even pressed, the engine refuses: nothing is proposed
    assert "verdict.unknown must cover full_procedure" in page.result.text()
    assert page.admin.pending() == [] and _active_version(admin_world) == 0


def test_diff_shows_old_to_new_and_a_strengthening_activates_with_one_admin(qtbot: QtBot,
                                                                             admin_world: AdminWorld) -> None:
    tab = admin_page(qtbot, admin_world, "ada")
    page = tab.policy
    page.form.find("limits.code_ttl_minutes").widget.setValue(5)  # shorter code lifetime: stricter
    qtbot.waitUntil(lambda: page.diff_rows() != [], timeout=2_000)  # re-checked once typing pauses
    assert page.diff_rows() == [["Limits › One-time code lifetime (minutes)", "10", "5", ""]]
    assert page.weakens.text() == "Weakens nothing: your signature alone activates it."
    page.propose()
    assert page.result.text() == "Policy version 1 is now active (1 of 1 signatures)."
    assert _active_version(admin_world) == 1
    assert page.diff_title.text() == "Changes against the active policy (version 1, signed)"
    assert page.diff_rows() == [] and page.form.find("limits.code_ttl_minutes").value() == 5


def test_weakening_waits_for_a_second_different_admin(qtbot: QtBot, admin_world: AdminWorld) -> None:
    page = admin_page(qtbot, admin_world, "ada")
    policy = page.policy
    policy.form.find("limits.code_max_failures").widget.setValue(5)  # more guesses allowed: weaker
    policy.form.find("amount_tiers.EUR.1.at_least").widget.setValue(20000)  # call-back from a higher amount
    assert policy.recheck()
    assert policy.diff_rows() == [
        ["Amount tiers per currency › EUR #2 › From amount", "10000", "20000", "weakening"],
        ["Limits › Wrong codes allowed", "3", "5", "weakening"]]
    assert "limits.code_max_failures: 3 -> 5" in policy.weakens.text()
    policy.propose()
    assert policy.result.text().startswith("Policy version 1 is signed by you and waits: it weakens 3 rule(s)")
    assert _active_version(admin_world) == 0
    assert policy.pending_list.count() == 1
    assert policy.pending_list.item(0).text().startswith("v1 proposed by ada at ")
    assert "signed by ada (1 of 2)" in policy.pending_list.item(0).text()
    assert "Limits › Wrong codes allowed: 3 → 5  (weakening)" in policy.pending_detail.toPlainText()

    policy.sign_selected()  # the proposer again: the engine refuses
    assert policy.result.text() == "you already signed policy version 1; a different admin must sign"
    assert _active_version(admin_world) == 0

    page.sign_in_bar.button.click()  # sign out; bea signs in on the same tab
    page.state.sign_in("bea", PASSWORD)
    policy.key_bar.path.setText(str(admin_world.keys["bea"]))
    assert policy.select_pending(1)
    policy.sign_selected()
    assert policy.result.text() == "Policy version 1 is now active (2 of 2 signatures)."
    with admin_world.desk.ctx.database.reading() as connection:
        active = load_active_policy(connection)
    assert active.version == 1 and active.policy.limits.code_max_failures == 5
    assert len(active.signer_ids) == 2 and policy.pending_list.count() == 0


def test_key_that_is_not_registered_is_refused(qtbot: QtBot, admin_world: AdminWorld) -> None:
    tab = admin_page(qtbot, admin_world, "ada")
    policy = tab.policy
    policy.key_bar.path.setText(str(admin_world.keys["rita"]))  # readable, but nobody's registered key
    policy.form.find("limits.code_ttl_minutes").widget.setValue(5)
    policy.propose()
    assert policy.result.text().startswith("signing key ") and "is not registered to you" in policy.result.text()
    policy.key_bar.path.setText(str(admin_world.desk.data_dir / "no-such-key.pem"))
    policy.propose()
    assert policy.result.text().startswith("cannot read signing key ")
    assert _active_version(admin_world) == 0


def test_new_key_is_written_and_registered(qtbot: QtBot, admin_world: AdminWorld) -> None:
    tab = admin_page(qtbot, admin_world, "ada")
    policy = tab.policy
    path = admin_world.desk.data_dir.parent / "fresh.pem"
    assert policy.key_bar.create(str(path))
    assert path.is_file() and (path.stat().st_mode & 0o077) == 0  # owner-only
    assert not policy.key_bar.create(str(path))
    assert policy.result.text().endswith("already exists; not overwriting a key")
    assert policy.key_bar.register()
    assert policy.result.text().startswith("Registered policy-signing key ")
    policy.form.find("limits.code_ttl_minutes").widget.setValue(5)
    policy.propose()
    assert policy.result.text() == "Policy version 1 is now active (1 of 1 signatures)."


def test_map_and_list_sections_are_added_and_removed(qtbot: QtBot, admin_world: AdminWorld) -> None:
    tab = admin_page(qtbot, admin_world, "ada")
    policy = tab.policy
    tiers = policy.form.find("amount_tiers")
    tiers.new_key.setText("SEK")
    tiers.add_button.click()
    assert not policy.recheck()
    assert policy.error.text() == "policy field amount_tiers: Value error, SEK: give at least one tier"
    sek = policy.form.find("amount_tiers.SEK")
    sek.add_button.click()  # one tier, made of the schema's defaults: from 0, nothing required
    assert policy.recheck()
    assert ["Amount tiers per currency › SEK #1 › From amount", "—", "0", "weakening"] in policy.diff_rows()
    assert "amount_tiers.SEK[>=0]" in policy.weakens.text()  # less than the unlisted-currency rule
    remove = next(b for b in tiers.widget.findChildren(QPushButton)
                  if b.accessibleName() == "Remove SEK from Amount tiers per currency")
    remove.click()
    assert policy.recheck() and policy.diff_rows() == []
    assert policy.form.value() == policy.admin.active_document()
