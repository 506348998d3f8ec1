"""Admin tab, directory editor, on a real SQLite workflow database: contacts with their numbers and
each number's provenance, adding through the engine's directory functions, its refusals shown."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy import update

from desktop.views.local_time import local_time
from tests.desktop.admin_world import AdminWorld, admin_page, admin_world  # noqa: F401 - fixture
from tests.desktop.workflow_world import desk_world  # noqa: F401 - fixture
from verification.store.tables import directory_entries, directory_phones
from verification.workflow import directory
from verification.workflow.directory import get_entry


def test_existing_numbers_show_their_provenance(qtbot: QtBot, admin_world: AdminWorld) -> None:
    tab = admin_page(qtbot, admin_world, "ada")
    phone = admin_world.desk.phone
    rows = tab.directory.rows()
    assert rows[0][0] == "Acme Supplies (counterparty, Acme Ltd)"
    assert rows[1] == [phone.number, "main", "vendor master data, signed contract 2023-04", "ada",
                       local_time(phone.entered_at), ""]


def test_add_contact_and_number_shows_who_entered_it_from_what_source(qtbot: QtBot, admin_world: AdminWorld) -> None:
    tab = admin_page(qtbot, admin_world, "bea")
    page = tab.directory
    page.entry_name.setText("Globex")
    page.entry_org.setText("Globex Corp")
    page.add_entry_button.click()
    assert page.result.text() == "Added 'Globex'; add a call-back number and where it came from."
    assert page.selected_entry() == "Globex"

    page.number.setText("call me maybe")
    page.source.setText("signed contract 2024-03, page 2")
    page.add_phone_button.click()
    assert page.result.text() == "not a phone number: 'call me maybe'"  # the engine's own line
    page.number.setText("+1 212 555 0100")
    page.source.setText("fax")
    page.add_phone_button.click()
    assert page.result.text().startswith("say where the number came from")
    page.source.setText("signed contract 2024-03, page 2")
    page.label.setText("treasury desk")
    page.add_phone_button.click()
    assert page.result.text() == "Number +12125550100 added to 'Globex' (source: signed contract 2024-03, page 2)."

    with admin_world.desk.ctx.database.reading() as connection:
        stored = get_entry(connection, "Globex").phones[0]
    assert stored.source == "signed contract 2024-03, page 2" and stored.entered_by == admin_world.second_admin.id
    assert ["+12125550100", "treasury desk", "signed contract 2024-03, page 2", "bea",
            local_time(stored.entered_at), ""] in page.rows()
    page.select_entry("Globex")
    number = page.tree.currentItem().child(0)
    assert number.toolTip(0) == f"entered by bea at {stored.entered_at} from 'signed contract 2024-03, page 2'"

    page.tree.setCurrentItem(number)
    page.remove_phone_button.click()
    assert page.result.text() == f"Number {stored.id} withdrawn; it can no longer be used for call-backs."
    assert ["no active number: call-backs are impossible", "", "", "", "", ""] in page.rows()


def test_duplicate_contact_is_refused(qtbot: QtBot, admin_world: AdminWorld) -> None:
    tab = admin_page(qtbot, admin_world, "ada")
    tab.directory.entry_name.setText("Acme Supplies")
    tab.directory.add_entry()
    assert tab.directory.result.text() == "a directory entry named 'Acme Supplies' already exists"


def test_code_phrase_is_hashed_off_the_gui_thread(qtbot: QtBot, admin_world: AdminWorld) -> None:
    tab = admin_page(qtbot, admin_world, "ada")
    page = tab.directory
    assert page.select_entry("Acme Supplies")
    page.phrase.setText("short")
    page.phrase_button.click()
    qtbot.waitUntil(lambda: page.result.text() == "code phrase too short: at least 8 characters", timeout=5_000)
    page.select_entry("Acme Supplies")
    page.phrase.setText("blue heron at noon")
    page.phrase_button.click()
    assert page.phrase.text() == "" and not page.phrase_button.isEnabled()
    qtbot.waitUntil(lambda: page.result.text().startswith("Code phrase enrolled for 'Acme Supplies'"), timeout=5_000)
    assert page.phrase_button.isEnabled()
    assert page.rows()[0][5] == "code phrase"


def test_a_contact_changed_in_the_database_shows_unsigned_and_an_admin_signs_it(qtbot: QtBot,
                                                                               admin_world: AdminWorld) -> None:
    desk = admin_world.desk
    with desk.ctx.database.transaction() as connection:  # a database writer swaps the number
        connection.execute(update(directory_phones).where(directory_phones.c.id == desk.phone.id)
                           .values(number="+447700900666"))
    tab = admin_page(qtbot, admin_world, "ada")
    page = tab.directory
    assert page.rows()[0][0] == "Acme Supplies (counterparty, Acme Ltd) — NOT SIGNED, no call-backs"
    assert page.select_entry("Acme Supplies")
    assert "number changed in the database" in page.tree.currentItem().toolTip(0)
    page.sign_button.click()  # the admin checked the number against its source first
    assert page.result.text() == "Signed 'Acme Supplies' as it stands: call-backs may use its numbers."
    assert page.rows()[0][0] == "Acme Supplies (counterparty, Acme Ltd)"
    page.sign_button.click()
    assert page.result.text() == "directory entry 'Acme Supplies' is already signed and unchanged"


def test_a_code_phrase_hash_replaced_in_the_database_shows_and_an_admin_signs_it(qtbot: QtBot,
                                                                                admin_world: AdminWorld) -> None:
    desk = admin_world.desk
    directory.set_code_phrase(desk.ctx, desk.admin, "Acme Supplies", "blue heron at noon")
    with desk.ctx.database.transaction() as connection:  # a database writer swaps the phrase hash
        connection.execute(update(directory_entries).where(directory_entries.c.name == "Acme Supplies")
                           .values(phrase_hash=desk.ctx.hasher.hash("the attacker's phrase")))
    tab = admin_page(qtbot, admin_world, "ada")
    page = tab.directory
    assert page.rows()[0][0] == ("Acme Supplies (counterparty, Acme Ltd) — ENROLMENTS NOT SIGNED, no code phrase "
                                 "or TOTP checks")
    assert page.select_entry("Acme Supplies")
    assert "its code phrase changed in the database since ada signed it" in page.tree.currentItem().toolTip(0)
    page.sign_button.click()  # the admin re-enrolled with the counterparty, or checked it, first
    assert page.rows()[0][0] == "Acme Supplies (counterparty, Acme Ltd)"
