"""Property-based tests for structured input: policy documents, command lines and the HTML report.

Whatever shape the input takes, the outcome is a valid value or one line naming what was wrong, never a
traceback; names carrying SQL, HTML or path-traversal payloads come out of the HTML report as inert text.
Example counts are kept small: the point is shapes a person would not think of, not volume."""

from __future__ import annotations

import copy
import itertools
import json
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verification.cli import main
from verification.errors import PolicyError
from verification.json_input import read_json_file
from verification.policy.default import default_policy
from verification.policy.parse import policy_document, policy_from_document
from verification.policy.schema import Policy
from verification.report.html import render_html

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

PAYLOADS = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'; DROP TABLE requests; --",
            "../../../etc/passwd", "..\\..\\windows\\system32", "</td></tr></table><iframe src=//x>",
            "<svg onload=alert(1)>", "&lt;already&gt;", "\u202eevil", "Robert'); --", "%00", "\x00"]

json_leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(json_leaves, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)
hostile_text = st.sampled_from(PAYLOADS) | st.text(max_size=30) | st.builds(
    lambda a, b: a + b, st.sampled_from(PAYLOADS), st.text(max_size=10))


def _one_line(error: Exception) -> None:
    assert str(error) and "\n" not in str(error), repr(error)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every location in a JSON value, the root included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, prefix + (index,))
    return found


def _replace(doc: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    out = copy.deepcopy(doc)
    parent = out
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = new
    return out


@FAST
@given(st.one_of(json_values, st.dictionaries(st.text(max_size=12), json_values, max_size=6)))
def test_any_json_value_is_a_policy_or_one_line_refusal(doc: Any) -> None:
    try:
        assert isinstance(policy_from_document(doc), Policy)
    except PolicyError as error:
        _one_line(error)


@FAST
@given(st.data())
def test_a_mutated_default_policy_is_valid_or_refused_in_one_line(data: st.DataObject) -> None:
    doc = policy_document(default_policy())
    path = data.draw(st.sampled_from(_paths(doc)))
    mutated = _replace(doc, path, data.draw(json_values | hostile_text))
    try:
        policy = policy_from_document(mutated)
    except PolicyError as error:
        _one_line(error)
        return
    assert policy_from_document(policy_document(policy)) == policy  # what was accepted round-trips


@FAST
@given(st.integers(min_value=1, max_value=200_000), st.sampled_from(["[", "{\"a\":"]))
def test_deep_policy_files_are_refused_in_one_line(tmp_path_factory: pytest.TempPathFactory, depth: int,
                                                   opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    path = tmp_path_factory.mktemp("deep") / "policy.json"
    path.write_text(opener * depth + ("1" if opener == "[" else "1") + closer * depth)
    try:
        policy_from_document(read_json_file(path, "policy", PolicyError))
    except PolicyError as error:
        _one_line(error)
        return
    raise AssertionError("a nested value is not a policy")


@FAST
@given(st.binary(max_size=300))
def test_arbitrary_policy_bytes_are_refused_in_one_line(tmp_path_factory: pytest.TempPathFactory,
                                                        raw: bytes) -> None:
    path = tmp_path_factory.mktemp("raw") / "policy.json"
    path.write_bytes(raw)
    try:
        policy_from_document(read_json_file(path, "policy", PolicyError))
    except PolicyError as error:
        _one_line(error)


# --- command lines ---------------------------------------------------------------------------------
COMMANDS = [["analyze"], ["models", "list"], ["models", "verify"], ["eval"], ["calibrate"], ["doctor"], ["pulse"],
            ["request", "create"], ["request", "show"], ["request", "approve"], ["policy", "show"],
            ["policy", "apply"], ["directory", "add"], ["directory", "import"], ["users", "add"],
            ["audit", "verify"], ["audit", "verify-pack"], ["audit", "pack"], ["db", "status"], ["nonsense"], []]
FLAGS = ["--db", "--data-dir", "--out", "--json", "--amount", "--currency", "--report", "--root", "--html",
         "--model-dir", "--policy", "--format", "-h", "--", "-", ""]
argv_tokens = st.sampled_from(FLAGS) | hostile_text.filter(lambda t: "\x00" not in t) | st.sampled_from(
    ["sqlite:///", "postgresql://nobody@/x?host=/nonexistent", "1", "-1", "1e309", "NaN", "9" * 40])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(COMMANDS), st.lists(argv_tokens, max_size=6))
def test_no_command_line_gives_a_traceback(tmp_path_factory: pytest.TempPathFactory,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str], command: list[str],
                                           rest: list[str]) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.chdir(home)  # relative payload paths land in a scratch folder
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "CALLSHIELD_DATA_DIR"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.delenv("CALLSHIELD_PASSWORD", raising=False)
    monkeypatch.delenv("CALLSHIELD_USER", raising=False)
    monkeypatch.setattr("sys.stdin", open("/dev/null"))  # a password prompt reads end-of-file
    try:
        code = main([*command, *rest])
    except SystemExit as leave:  # argparse: usage and a one-line reason
        code = leave.code if isinstance(leave.code, int) else 2
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out, err
    if code not in (0, None):
        assert (err or out).strip(), "a refusal says why (bare `callshield` prints its help)"
        if err.strip():
            last = err.strip().split("\n")[-1]  # argparse echoes the argument, which may hold U+0085
            assert last.startswith(("callshield", "usage:")), err


# --- the HTML report ---------------------------------------------------------------------------------
class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on") or name in ("src", "href")]


REPORT_TAGS = {"html", "head", "meta", "title", "style", "body", "section", "h1", "h2", "div", "strong", "br",
               "ul", "li", "p", "table", "tr", "td", "th", "svg", "polyline", "line", "rect", "text", "title",
               "footer", "small", "hr", "code", "path", "g", "circle"}


def _report(names: list[str]) -> dict[str, Any]:
    n = itertools.cycle(names)
    det = next(n)
    return {"input": {"path": next(n), "duration_s": 4.0, "problems": [next(n)],
                      "video": {"width": 320, "height": 240, "fps": 25.0},
                      "audio": {"sample_rate": 16000, "channels": 1}},
            "verdict": {"risk": 0.5, "level": "elevated", "reasons": [next(n)], "advice": next(n)},
            "detectors": {det: {"modality": next(n), "status": next(n), "score": 0.4, "reason": next(n),
                                "windows": [{"t0": 0.0, "t1": 1.0, "score": 0.4, "track": next(n)}]}},
            "faces": [{"track": 0, "first_s": 0.0, "last_s": 2.0}],
            "models": [{"id": next(n), "sha256": next(n), "provider": next(n)}],
            "timing": {next(n): next(n)}}


@FAST
@given(st.lists(hostile_text, min_size=1, max_size=8))
def test_hostile_names_are_inert_in_the_html_report(names: list[str]) -> None:
    try:
        page = render_html([_report(names)])
    except (KeyError, ValueError, TypeError) as error:  # a malformed report dict is not this property
        pytest.fail(f"renderer rejected plain text names: {error!r}")
    parsed = _Tags()
    parsed.feed(page)
    assert parsed.tags <= REPORT_TAGS, parsed.tags - REPORT_TAGS
    assert not parsed.handlers, parsed.handlers
    for name in names:
        if "<" in name:
            assert name not in page, name


def test_report_property_catches_an_unescaped_name() -> None:
    """The check above can fail: raw markup in a page shows up as a foreign tag and a handler."""
    parsed = _Tags()
    parsed.feed("<p>" + PAYLOADS[1] + "</p>")
    assert "img" in parsed.tags and "onerror" in parsed.handlers
    assert json.dumps(PAYLOADS[1])  # keeps the payload list honest: plain text
