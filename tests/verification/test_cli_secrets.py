"""No secret on argv: passwords, one-time codes, TOTPs and code phrases given as command-line values
are refused in one line that says how to pass them; a code comes from a file, stdin or the environment."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.verification.conftest import ALL_NO, PASSWORD, World
from verification.cli import main
from verification.workflow import confirmations
from verification.workflow.request import load_request

SECRET = "86420135"


@pytest.fixture
def base(world: World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("CALLSHIELD_USER", "alan")
    monkeypatch.setenv("CALLSHIELD_PASSWORD", PASSWORD)
    monkeypatch.delenv("CALLSHIELD_CODE", raising=False)
    return ["--db", world.database.url.render_as_string(hide_password=False), "--data-dir", str(world.data_dir)]


def _issue(base: list[str], capsys: pytest.CaptureFixture[str], request_id: int) -> str:
    assert main(["request", "issue-code", *base, str(request_id)]) == 0
    return next(line for line in capsys.readouterr().out.splitlines() if "one-time code" in line).split()[-1]


@pytest.mark.parametrize("argv, words", [
    (["request", "verify-code", "1", SECRET], "--code-file FILE, or --code-file - for standard input"),
    (["request", "verify-code", "1", "--code", SECRET], "one-time code on the command line"),
    (["request", "verify-totp", "1", SECRET], "$CALLSHIELD_TOTP"),
    (["request", "verify-phrase", "1", "--phrase", SECRET], "code phrase on the command line"),
    (["users", "whoami", "--password", SECRET], "--credentials FILE"),
    (["users", "add", "eve", "--role", "requester", f"--password={SECRET}"], "password on the command line"),
    (["directory", "set-phrase", "Acme Supplies", "--phrase", SECRET], "code phrase"),
])
def test_secrets_on_argv_are_refused_in_one_line(base: list[str], capsys: pytest.CaptureFixture[str],
                                                 argv: list[str], words: str) -> None:
    code = main([*argv[:2], *base, *argv[2:]])
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code != 0 and len(lines) == 1 and words in lines[0] and "Traceback" not in err, err
    assert SECRET not in err


def test_code_from_file_stdin_or_environment(world: World, base: list[str], monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # through the CLI throughout: it runs on the real clock, the world's fixture clock is in the past
    monkeypatch.setenv("CALLSHIELD_USER", "rita")
    checks = [f"--check={item}=no" for item in ALL_NO]
    assert main(["request", "create", *base, "--amount", "250000", "--currency", "EUR", "--counterparty",
                 world.counterparty, "--beneficiary", "iban=GB33BUKB20201555555555", *checks]) == 0
    request_id = int(capsys.readouterr().out.split()[1].rstrip(":"))
    monkeypatch.setenv("CALLSHIELD_USER", "alan")
    assert main(["request", "callback", *base, str(request_id), "--phone", str(world.phone.id), "--outcome",
                 "confirmed", "--answered-by", "J. Smith", "--confirmed", "identity,request"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal, nothing given
    assert main(["request", "verify-code", *base, str(request_id)]) != 0
    assert "no one-time code given" in capsys.readouterr().err
    code_file = tmp_path / "code.txt"
    code_file.write_text(_issue(base, capsys, request_id) + "\n")
    assert main(["request", "verify-code", *base, str(request_id), "--code-file", str(code_file)]) == 0
    for how in ("stdin", "env"):
        code = _issue(base, capsys, request_id)
        if how == "stdin":
            monkeypatch.setattr("sys.stdin", io.StringIO(code + "\n"))
            argv = ["--code-file", "-"]
        else:
            monkeypatch.setenv("CALLSHIELD_CODE", code)
            argv = []
        assert main(["request", "verify-code", *base, str(request_id), *argv]) == 0, capsys.readouterr().err
    with world.database.reading() as connection:
        steps = [s for s in confirmations.steps_as_dicts(connection, request_id) if s["kind"] == "code"]
        assert [s["outcome"] for s in steps] == ["ok", "ok", "ok"]
        assert load_request(connection, request_id).state.value in ("held", "approved")
