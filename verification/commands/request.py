"""`callshield request create|submit|show|list|checklist|callback|issue-code|verify-code|verify-totp|
verify-phrase|approve|release|reject|cancel|expire`: the out-of-band workflow, scriptable."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from verification.commands.argv_secrets import add_code_input, read_code
from verification.commands.workflow_common import common_options, emit, login, open_context, read_secret, usage
from verification.errors import WorkflowRefused
from verification.json_input import read_json_file
from verification.policy.schema import CHECKLIST_ITEMS
from verification.workflow import confirmations, lifecycle
from verification.report.signature import SUFFIX
from verification.workflow.call_link import summarise_report, unjudged_reason
from verification.workflow.context import Context
from verification.workflow.request import KINDS
from verification.workflow.views import describe, list_requests, request_view

PHRASE_ENV = "CALLSHIELD_PHRASE"
CODE_ENV = "CALLSHIELD_CODE"
TOTP_ENV = "CALLSHIELD_TOTP"
YES = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}


def _pairs(values: list[str] | None, what: str) -> dict[str, str]:
    out = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise WorkflowRefused(f"{what} must be KEY=VALUE, not {item!r}")
        out[key.strip()] = value.strip()
    return out


def _checklist(values: list[str] | None) -> dict[str, bool]:
    out = {}
    for key, value in _pairs(values, "--check").items():
        if value.lower() not in YES:
            raise WorkflowRefused(f"--check {key} must be yes or no, not {value!r}")
        out[key] = YES[value.lower()]
    return out


def _call(args: argparse.Namespace) -> dict[str, Any] | None:
    """The report and its detached signature (`--report-signature`, else REPORT.json.sig when present)."""
    if not args.report:
        return None
    report = read_json_file(Path(args.report), "call report", WorkflowRefused)
    sig_path = Path(args.report_signature or args.report + SUFFIX)
    signature = None
    if args.report_signature or sig_path.is_file():
        signature = read_json_file(sig_path, "report signature", WorkflowRefused)
    return summarise_report(report, args.session, signature)


def _judgement(ctx: Context, call: dict[str, Any] | None) -> str:
    """Says plainly when a linked report does not count."""
    if call is None:
        return ""
    with ctx.database.reading() as connection:
        why = unjudged_reason(connection, call, ctx.pins)
    if why is None:
        return f"call verdict {call['verdict']['level']} counts (signed by a registered installation)"
    return (f"call report not counted ({why}): no call judged, so the request needs what a request without "
            f"a call needs")


def _show_result(args: argparse.Namespace, ctx: Context, request_id: int, extra: str = "") -> int:
    with ctx.database.reading() as connection:
        view = request_view(connection, request_id, ctx.clock, ctx.pins)
    emit(args, view, (extra + "\n" if extra else "") + describe(view))
    return 0


def _create(args: argparse.Namespace) -> int:
    beneficiary = _pairs(args.beneficiary, "--beneficiary")
    call = _call(args)
    with open_context(args) as ctx:
        request = lifecycle.create_request(
            ctx, login(ctx, args), args.kind, args.amount, args.currency, args.counterparty, beneficiary,
            call=call, claimed_contact=args.claimed_contact, checklist=_checklist(args.check),
            note=args.note or "", submit=not args.draft)
        return _show_result(args, ctx, request.id, _judgement(ctx, call))


def _with_request(action: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        with open_context(args) as ctx:
            extra = action(ctx, login(ctx, args), args)
            return _show_result(args, ctx, args.id, extra or "")

    return run


def _callback(ctx: Context, user: Any, args: argparse.Namespace) -> None:
    confirmed = [c.strip() for c in (args.confirmed or "").split(",") if c.strip()]
    confirmations.record_callback(ctx, user, args.id, args.phone, args.outcome, args.answered_by or "", confirmed,
                                  args.dialled, args.note or "")


def _issue_code(ctx: Context, user: Any, args: argparse.Namespace) -> str:
    code = confirmations.issue_code(ctx, user, args.id)
    return f"one-time code (give it to the counterparty by another channel; read back on the call-back): {code}"


def _list(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        login(ctx, args)
        with ctx.database.reading() as connection:
            found = list_requests(connection, args.state)
    lines = [f"{r.id:>6} {r.state.value:<9} {r.kind:<18} {r.amount} {r.currency}  verdict {r.verdict_level}"
             for r in found]
    emit(args, [r.summary() for r in found], "\n".join(lines) or "(none)")
    return 0


def _expire(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        login(ctx, args)
        expired = lifecycle.expire_due(ctx)
    emit(args, {"expired": expired}, f"expired {len(expired)} request(s)")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("request", help="action requests held until out-of-band confirmation")
    parser.set_defaults(func=usage(parser))
    sub = parser.add_subparsers(dest="request_command", metavar="SUBCOMMAND")
    common = common_options()
    one = argparse.ArgumentParser(add_help=False, parents=[common])
    one.add_argument("id", type=int, help="request id")

    p = sub.add_parser("create", parents=[common], help="create (and submit) a request (requester)")
    p.add_argument("--kind", choices=KINDS, default="transfer")
    p.add_argument("--amount", required=True)
    p.add_argument("--currency", required=True)
    p.add_argument("--counterparty", required=True, help="directory entry name")
    p.add_argument("--beneficiary", action="append", metavar="KEY=VALUE", help="e.g. iban=..., name=...")
    p.add_argument("--report", metavar="REPORT.json", help="the call's callshield.report/1 (links its verdict)")
    p.add_argument("--report-signature", metavar="REPORT.json.sig",
                   help="the report's signature written by callshield analyze (default: REPORT.json.sig)")
    p.add_argument("--session", help="call session id shown in the evidence")
    p.add_argument("--claimed-contact", metavar="NUMBER",
                   help="a number the caller or message offered: recorded as a red flag, never used for call-back")
    p.add_argument("--check", action="append", metavar="ITEM=yes|no", help=f"checklist: {', '.join(CHECKLIST_ITEMS)}")
    p.add_argument("--note")
    p.add_argument("--draft", action="store_true", help="keep as a draft (submit later)")
    p.set_defaults(func=_create)

    p = sub.add_parser("submit", parents=[one], help="submit a draft: policy decides the steps, hold starts")
    p.set_defaults(func=_with_request(lambda ctx, u, a: lifecycle.submit(ctx, u, a.id) and None))
    sub.add_parser("show", parents=[one], help="state, required steps, what is missing").set_defaults(
        func=_with_request(lambda ctx, u, a: None))
    p = sub.add_parser("list", parents=[common], help="recent requests")
    p.add_argument("--state")
    p.set_defaults(func=_list)

    p = sub.add_parser("checklist", parents=[one], help="answer checklist items")
    p.add_argument("--check", action="append", required=True, metavar="ITEM=yes|no")
    p.set_defaults(func=_with_request(
        lambda ctx, u, a: lifecycle.answer_checklist(ctx, u, a.id, _checklist(a.check)) and None))

    p = sub.add_parser("callback", parents=[one], help="record a call-back on a directory number")
    p.add_argument("--phone", type=int, required=True, help="directory phone id (see directory show)")
    p.add_argument("--outcome", choices=confirmations.CALLBACK_OUTCOMES, required=True)
    p.add_argument("--answered-by", help="who answered")
    p.add_argument("--confirmed", help=f"comma-separated: {', '.join(confirmations.CONFIRMABLE)}")
    p.add_argument("--dialled", metavar="NUMBER", help="the number actually dialled (checked against the directory)")
    p.add_argument("--note")
    p.set_defaults(func=_with_request(_callback))

    sub.add_parser("issue-code", parents=[one], help="generate a one-time code").set_defaults(
        func=_with_request(_issue_code))
    p = sub.add_parser("verify-code", parents=[one], help="check the one-time code read back")
    add_code_input(p, "one-time code", "--code-file", CODE_ENV)
    p.set_defaults(func=_with_request(lambda ctx, u, a: confirmations.verify_code(
        ctx, u, a.id, read_code(a.code_file, CODE_ENV, "one-time code")) and None))
    p = sub.add_parser("verify-totp", parents=[one], help="check the counterparty's TOTP read back")
    add_code_input(p, "TOTP", "--totp-file", TOTP_ENV)
    p.set_defaults(func=_with_request(lambda ctx, u, a: confirmations.verify_totp(
        ctx, u, a.id, read_code(a.totp_file, TOTP_ENV, "TOTP")) and None))
    p = sub.add_parser("verify-phrase", parents=[one], help=f"check the code phrase (from ${PHRASE_ENV} or a file)")
    p.add_argument("--phrase-file", metavar="FILE")
    p.set_defaults(func=_with_request(lambda ctx, u, a: confirmations.verify_phrase(
        ctx, u, a.id, read_secret(a.phrase_file, PHRASE_ENV, "code phrase")) and None))
    p = sub.add_parser("approve", parents=[one], help="approve as second approver")
    p.add_argument("--note")
    p.set_defaults(func=_with_request(lambda ctx, u, a: confirmations.approve(ctx, u, a.id, a.note or "") and None))
    sub.add_parser("release", parents=[one], help="release (every step done, hold over)").set_defaults(
        func=_with_request(lambda ctx, u, a: lifecycle.release(ctx, u, a.id) and None))
    p = sub.add_parser("reject", parents=[one], help="reject (approver or admin)")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=_with_request(lambda ctx, u, a: lifecycle.reject(ctx, u, a.id, a.reason) and None))
    p = sub.add_parser("cancel", parents=[one], help="cancel (requester or admin)")
    p.add_argument("--reason")
    p.set_defaults(func=_with_request(lambda ctx, u, a: lifecycle.cancel(ctx, u, a.id, a.reason or "") and None))
    sub.add_parser("expire", parents=[common], help="expire requests past their lifetime").set_defaults(func=_expire)
