"""Directory: admin-only edits, numbers with provenance, enrolments kept safe, all audited."""

from __future__ import annotations

import pytest

from tests.verification.conftest import World
from verification.errors import DirectoryError
from verification.workflow import directory


@pytest.mark.parametrize(("raw", "normal"), [("+44 20 7946 0000", "+442079460000"), ("(020) 7946-0000", "02079460000")])
def test_numbers_are_normalised(raw: str, normal: str) -> None:
    assert directory.normalise_number(raw) == normal


@pytest.mark.parametrize("raw", ["call me", "+12", "+44 20 7946 0000 ext 5"])
def test_bad_numbers_refused(raw: str) -> None:
    with pytest.raises(DirectoryError, match="not a phone number"):
        directory.normalise_number(raw)


def test_phone_needs_a_source_and_is_listed_with_provenance(world: World) -> None:
    with pytest.raises(DirectoryError, match="where the number came from"):
        directory.add_phone(world.ctx, world.admin, world.counterparty, "+44 20 7946 1111", "")
    with world.database.reading() as connection:
        entry = directory.get_entry(connection, world.counterparty)
    assert entry.phones[0].source == "vendor master data, signed contract 2023-04"
    directory.remove_phone(world.ctx, world.admin, entry.phones[0].id)
    with world.database.reading() as connection:
        assert directory.get_entry(connection, world.counterparty).phones == []


def test_enrolments(world: World) -> None:
    uri = directory.enroll_totp(world.ctx, world.admin, world.counterparty)
    assert uri.startswith("otpauth://totp/")
    directory.set_code_phrase(world.ctx, world.admin, world.counterparty, "blue heron at dawn")
    vp = directory.enroll_voiceprint(world.ctx, world.admin, world.counterparty, "voice_identity", [0.1] * 192)
    with world.database.reading() as connection:
        entry = directory.get_entry(connection, world.counterparty)
        bodies = [row.body for row in connection.exec_driver_sql("SELECT body FROM audit_log")]
    assert entry.has_totp and entry.has_phrase and entry.voiceprints == 1 and vp > 0
    assert not any("heron" in b or uri.split("secret=")[1].split("&")[0] in b for b in bodies)
    with pytest.raises(DirectoryError, match="too short"):
        directory.set_code_phrase(world.ctx, world.admin, world.counterparty, "abc")
