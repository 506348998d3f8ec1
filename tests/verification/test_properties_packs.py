"""Evidence packs and directory entries under hostile names, and mutated packs, property-tested.

Names carrying SQL, HTML and path-traversal payloads go in through the real workflow (directory entry,
phone label, beneficiary, callback, approval note), come out as inert text in the pack's HTML, and the
exports land only where they were asked to. `verify-pack` on any changed pack: never a traceback and
never "valid"."""

from __future__ import annotations

import copy
import json
import os
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.verification.audit_cli import Cli
from tests.verification.conftest import ALL_NO, World
from verification.cli import main
from verification.errors import CallShieldError
from verification.workflow import confirmations, directory, lifecycle
from verification.workflow.states import State

PAYLOADS = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "x'); DROP TABLE requests; --",
            "../../../../tmp/owned", "</td></tr></table><iframe src=//evil>", "<svg onload=alert(1)>"]
PACK_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "table", "tr", "th", "td", "code"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs += [name for name, _ in attrs if name != "charset" and name != "class"]


def _inert(page: str) -> None:
    parsed = _Tags()
    parsed.feed(page)
    assert parsed.tags <= PACK_TAGS, parsed.tags - PACK_TAGS
    assert not parsed.attrs, parsed.attrs
    for payload in PAYLOADS:
        if "<" in payload:
            assert payload not in page, payload


def _files(root: Path) -> set[Path]:
    return {Path(d) / f for d, _, names in os.walk(root) for f in names}


@pytest.fixture
def hostile(world: World) -> tuple[World, int, str]:
    """A released request whose every free-text field a person typed is a payload."""
    w = world
    name = " ".join(PAYLOADS[:3])
    directory.add_entry(w.ctx, w.admin, name, "counterparty", PAYLOADS[4])
    phone = directory.add_phone(w.ctx, w.admin, name, "+44 20 7946 0999", "contract " + PAYLOADS[5], PAYLOADS[1])
    w.clock.advance(days=200)  # an established counterparty by now
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "9000", "EUR", name,
                                       {"iban": "GB33BUKB20201555555555", "reference": PAYLOADS[3]},
                                       checklist=ALL_NO)
    confirmations.record_callback(w.ctx, w.approver, request.id, phone.id, "confirmed", PAYLOADS[0],
                                  ["identity", "request", "amount", "beneficiary"])
    assert confirmations.approve(w.ctx, w.approver2, request.id, note=PAYLOADS[2] + PAYLOADS[1]).state \
        == State.APPROVED
    w.clock.advance(minutes=61)
    assert lifecycle.release(w.ctx, w.requester, request.id).state == State.RELEASED
    return w, request.id, name


@pytest.mark.parametrize("db_kind", ["sqlite", "postgresql"], indirect=True)
def test_hostile_names_are_inert_in_the_pack_and_exports_stay_in_their_folder(
        hostile: tuple[World, int, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    w, request_id, name = hostile
    cli = Cli.of(w, capsys, monkeypatch)
    chosen = tmp_path / "exports"
    chosen.mkdir()
    monkeypatch.chdir(chosen)
    before = _files(tmp_path)  # the whole test folder: the world's database and data dir live here too
    code, _, err = cli("audit", "pack", str(request_id), "--out", "pack.json", "--html", "pack.html")
    assert code == 0, err
    assert main(["audit", "verify-pack", "pack.json", "--data-dir", str(w.data_dir), "--html", "checked.html"]) == 0
    capsys.readouterr()
    created = _files(tmp_path) - before
    created = {p for p in created if not p.name.startswith(("audit-anchors", ".", "callshield.db"))}
    assert created == {chosen / "pack.json", chosen / "pack.html", chosen / "checked.html"}, created
    assert not Path("/tmp/owned").exists()
    pack = json.loads((chosen / "pack.json").read_text())
    assert pack.get("counterparty") == name  # the name went in and came out unchanged, as data
    for page in ("pack.html", "checked.html"):
        _inert((chosen / page).read_text())


def _locations(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _locations(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _locations(child, prefix + (index,))
    return found


def _mutate(pack: dict[str, Any], where: tuple, how: str, junk: Any) -> dict[str, Any]:
    out = copy.deepcopy(pack)
    parent = out
    for part in where[:-1]:
        parent = parent[part]
    key = where[-1]
    if how == "drop":
        del parent[key]
    elif how == "wrap":
        parent[key] = [parent[key]]
    else:
        parent[key] = f"{parent[key]}{junk}" if isinstance(parent[key], str) else junk
    return out


@pytest.mark.parametrize("db_kind", ["sqlite"], indirect=True)
def test_no_changed_pack_verifies_and_none_gives_a_traceback(
        hostile: tuple[World, int, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    w, request_id, _ = hostile
    cli = Cli.of(w, capsys, monkeypatch)
    genuine = tmp_path / "pack.json"
    assert cli("audit", "pack", str(request_id), "--out", str(genuine))[0] == 0
    pack = json.loads(genuine.read_text())
    places = _locations(pack)
    changed = tmp_path / "changed.json"

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(places), st.sampled_from(["drop", "wrap", "set"]),
           st.sampled_from([0, -1, 1.5, None, True, "", "x", PAYLOADS[0], {"a": 1}, [1]]))
    def check(where: tuple, how: str, junk: Any) -> None:
        mutated = _mutate(pack, where, how, junk)
        if mutated == pack:
            return
        changed.write_text(json.dumps(mutated))
        try:
            code = main(["audit", "verify-pack", str(changed), "--data-dir", str(w.data_dir)])
        except CallShieldError as error:  # main turns these into one line; a raise would be a bug
            pytest.fail(f"verify-pack raised: {error}")
        out, err = capsys.readouterr()
        assert code != 0 and "Traceback" not in err, (where, how, junk, out, err)
        assert len(err.strip().splitlines()) == 1, err

    check()
    assert main(["audit", "verify-pack", str(genuine), "--data-dir", str(w.data_dir)]) == 0  # the property can pass
