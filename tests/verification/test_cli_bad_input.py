"""Malformed input from the command line gives one line on stderr and a non-zero exit, never a
traceback: each case goes through `verification.cli.main` as a user would type it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.verification.conftest import PASSWORD, World
from verification.cli import main
from verification.json_input import nesting_depth

REPORT = {"schema": "callshield.report/1", "input": {"path": "call.mp4", "duration_s": 42.0}, "models": [],
          "verdict": {"risk": 0.2, "level": "low", "reasons": ["all quiet"]}}


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str], words: str) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code != 0 and len(lines) == 1 and lines[0].startswith("callshield: "), err
    assert "Traceback" not in err and words in lines[0], err


@pytest.fixture
def base(world: World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("CALLSHIELD_PASSWORD", PASSWORD)
    return ["--db", world.database.url.render_as_string(hide_password=False), "--data-dir", str(world.data_dir)]


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _create(base: list[str], report: str) -> list[str]:
    return ["request", "create", *base, "--amount", "100", "--currency", "EUR", "--counterparty", "Acme Supplies",
            "--beneficiary", "iban=GB33BUKB20201555555555", "--report", report]


@pytest.mark.parametrize("content, words", [
    ("[]", "not a callshield.report/1 object"),
    (json.dumps({**REPORT, "verdict": {"level": "low", "reasons": [{"x": 1}]}}), "reasons must be a list of text"),
    (json.dumps({**REPORT, "verdict": {"level": "low", "reasons": 5}}), "reasons must be a list of text"),
    (json.dumps({**REPORT, "input": "call.mp4"}), "input must be a JSON object"),
    ('{"schema": "callshield.report/1", "verdict": {"level": "low", "risk": NaN}}', "cannot be hashed"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("{not json", "not valid JSON"),
])
def test_bad_call_reports(world: World, base: list[str], monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, words: str) -> None:
    monkeypatch.setenv("CALLSHIELD_USER", "rita")
    _refused(capsys, _create(base, _file(tmp_path, "report.json", content)), words)


def test_bad_ids_data_dirs_policies_vectors_and_packs(world: World, base: list[str], monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    monkeypatch.setenv("CALLSHIELD_USER", "rita")
    _refused(capsys, ["request", "show", *base, "99999999999999999999"], "no request 99999999999999999999")
    _refused(capsys, ["request", "show", *base, "0"], "no request 0")
    _refused(capsys, ["request", "show", "--data-dir", "/proc/callshield-x", "1"], "cannot use data directory")
    monkeypatch.setenv("CALLSHIELD_USER", "ada")
    _refused(capsys, ["directory", "remove-phone", *base, "99999999999999999999"], "refused")
    deep = _file(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    for command in ("check", "propose"):
        _refused(capsys, ["policy", command, *base, deep], "nested too deeply")
    _refused(capsys, ["policy", "check", *base, _file(tmp_path, "obj.json", '{"a":' * 100_000 + "1"
                                                      + "}" * 100_000)], "nested too deeply")
    for vector, words in (("[0.1, \"x\"]", "element 1 is 'x'"), ("[0.1, [1]]", "element 1"), ("[]", "1 to 4096"),
                          ("{\"a\": 1}", "must be a list"), ("[true]", "element 0"), ("[1e999]", "element 0"),
                          ("[NaN]", "element 0"), ("[" + "1" * 400 + "]", "element 0"), ("nope", "not valid JSON")):
        _refused(capsys, ["directory", "enroll-voice", *base, "Acme Supplies", "--model", "voice",
                          "--embedding", _file(tmp_path, "vector.json", vector)], words)
    _refused(capsys, ["directory", "enroll-voice", *base, "Acme Supplies", "--model", "voice",
                      "--embedding", str(tmp_path / "missing.json")], "cannot read embedding")
    not_a_pack = '{"schema": "callshield.evidence-pack/1", "audit": []}'
    for content, words in (("[]", "a JSON object was expected"), (not_a_pack, "malformed"),
                           ("[" * 100_000, "nested too deeply")):
        _refused(capsys, ["audit", "verify-pack", _file(tmp_path, "pack.json", content)], words)


def test_nesting_depth_walks_without_recursion() -> None:
    value: list[object] = []
    for _ in range(50_000):
        value = [value]
    assert nesting_depth(value) == 50_001 and nesting_depth({"a": [1, {"b": 2}]}) == 3 and nesting_depth(5) == 0


@pytest.mark.parametrize("option, value, words", [
    ("--currency", "\u0415UR", "currency 'ЕUR' contains non-ASCII characters"),
    ("--amount", "1e1000000", "amount '1e1000000' is not a plain decimal number"),
    ("--amount", "NaN", "amount 'NaN' is not a plain decimal number"),
    ("--beneficiary", "iban=GB00BUKB20201555555555", "beneficiary iban 'GB00BUKB20201555555555' is not valid"),
    ("--beneficiary", "name=Acme\u202eLtd", "beneficiary name contains the control or format character U+202E"),
])
def test_bad_money_and_names_from_the_cli(world: World, base: list[str], monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str], option: str, value: str,
                                          words: str) -> None:
    monkeypatch.setenv("CALLSHIELD_USER", "rita")
    argv = ["request", "create", *base, "--amount", "100", "--currency", "EUR", "--counterparty", "Acme Supplies",
            "--beneficiary", "iban=GB33BUKB20201555555555", option, value]
    _refused(capsys, argv, words)
