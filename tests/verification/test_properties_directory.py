"""Directory entries, numbers and imported embeddings, property-tested against a real database: any
text is either stored and read back as the same value, or refused in one line; an embedding file of any
JSON shape is either a finite vector or a one-line DirectoryError. No traceback, no half-written entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.verification.conftest import World
from verification.errors import CallShieldError, DirectoryError
from verification.json_input import read_json_file
from verification.store.tables import directory_entries
from verification.workflow import directory

PAYLOADS = ["<script>alert(1)</script>", "x'); DROP TABLE directory_entries; --", "../../etc/passwd", "Ünïcødé Ltd",
            "\u202egnp.exe", "a\u0000b", "   ", "Acme Supplies"]
names = st.sampled_from(PAYLOADS) | st.text(max_size=40)
numbers = st.sampled_from(["+44 20 7946 0000", "+1 (555) 010-9999", "0", "++44", "+44 20 7946 0000 ext 5", "tel:+1"]) \
    | st.text(alphabet="+0123456789 ()-.x#*abc", max_size=24)
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


def _entries(w: World) -> int:
    with w.database.reading() as connection:
        return int(connection.execute(select(func.count()).select_from(directory_entries)).scalar_one())


@pytest.mark.parametrize("db_kind", ["sqlite"], indirect=True)
def test_any_entry_name_and_number_is_stored_as_given_or_refused_in_one_line(world: World) -> None:
    w = world

    seen = [0]

    @SETTINGS
    @given(names, st.none() | st.sampled_from(PAYLOADS[:4]) | names, numbers)
    def check(name: str, organisation: str | None, number: str) -> None:
        count = _entries(w)
        seen[0] += 1
        name = f"{name} {seen[0]}" if name.strip() else name  # fresh names: a duplicate is refused, rightly
        try:
            entry = directory.add_entry(w.ctx, w.admin, name, "counterparty", organisation)
        except CallShieldError as error:
            assert str(error) and "\n" not in str(error), repr(error)
            assert _entries(w) == count  # nothing half written
            return
        with w.database.reading() as connection:
            assert directory.get_entry(connection, entry.name).id == entry.id  # it reads back under its name
        try:
            phone = directory.add_phone(w.ctx, w.admin, entry.name, number, "signed contract 2024, page 2")
        except CallShieldError as error:
            assert str(error) and "\n" not in str(error), repr(error)
            return
        assert phone.number == directory.normalise_number(number)

    check()


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=4), inner,
                                                                                       max_size=3), max_leaves=30)


@pytest.mark.parametrize("db_kind", ["sqlite"], indirect=True)
def test_any_imported_embedding_is_enrolled_or_refused_in_one_line(world: World, tmp_path: Path) -> None:
    w = world
    source = tmp_path / "embedding.json"

    @SETTINGS
    @given(json_values | st.lists(st.floats(width=32), min_size=1, max_size=300))
    def check(value: Any) -> None:
        source.write_text(json.dumps(value))  # NaN and Infinity written as JSON extensions, as a tool might
        try:
            embedding = read_json_file(source, "embedding", DirectoryError)
            directory.enroll_voiceprint(w.ctx, w.admin, w.counterparty, "ecapa", embedding)
        except CallShieldError as error:
            assert str(error) and "\n" not in str(error), repr(error)

    check()
