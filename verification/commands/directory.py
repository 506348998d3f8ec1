"""`callshield directory add|add-phone|remove-phone|sign|set-phrase|enroll-totp|enroll-voice|list|show`.

Every addition and change is signed by the admin making it; `sign` signs an entry made before entries were
signed (or one changed in the database) after an admin checked it."""

from __future__ import annotations

import argparse
from pathlib import Path

from verification.commands.workflow_common import common_options, emit, login, open_context, read_secret, usage
from verification.errors import DirectoryError
from verification.json_input import read_json_file
from verification.trust.store import trust_state
from verification.workflow import directory as service
from verification.workflow.directory_signing import entry_problem, whole_problem

PHRASE_ENV = "CALLSHIELD_PHRASE"


def _entry_text(entry: service.Entry) -> str:
    lines = [f"{entry.name} ({entry.kind}{', ' + entry.organisation if entry.organisation else ''})",
             f"  code phrase: {'enrolled' if entry.has_phrase else 'none'}; TOTP: "
             f"{'enrolled' if entry.has_totp else 'none'}; voiceprints: {entry.voiceprints}"]
    for p in entry.phones:
        lines.append(f"  phone {p.id}: {p.number} [{p.label}] from {p.source!r}, entered {p.entered_at}")
    return "\n".join(lines)


def _add(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        entry = service.add_entry(ctx, login(ctx, args), args.name, args.kind, args.organisation)
    emit(args, entry.as_dict(), f"added {entry.name!r}")
    return 0


def _add_phone(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        phone = service.add_phone(ctx, login(ctx, args), args.name, args.number, args.source, args.label)
    emit(args, phone.as_dict(), f"phone {phone.id}: {phone.number} added to {args.name!r}")
    return 0


def _remove_phone(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        service.remove_phone(ctx, login(ctx, args), args.phone_id)
    emit(args, {"removed": args.phone_id}, f"phone {args.phone_id} removed")
    return 0


def _sign(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        entry = service.sign_existing(ctx, login(ctx, args), args.name)
    emit(args, entry.as_dict(), f"signed, as it stands:\n{_entry_text(entry)}")
    return 0


def _set_phrase(args: argparse.Namespace) -> int:
    phrase = read_secret(args.phrase_file, PHRASE_ENV, f"code phrase for {args.name}")
    with open_context(args) as ctx:
        service.set_code_phrase(ctx, login(ctx, args), args.name, phrase)
    emit(args, {"ok": True}, f"code phrase enrolled for {args.name!r} (stored as a slow hash only)")
    return 0


def _enroll_totp(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        uri = service.enroll_totp(ctx, login(ctx, args), args.name)
    emit(args, {"provisioning_uri": uri}, f"give this to the counterparty's authenticator app, once:\n{uri}")
    return 0


def _enroll_voice(args: argparse.Namespace) -> int:
    embedding = read_json_file(Path(args.embedding), "embedding (a JSON array of numbers)", DirectoryError)
    with open_context(args) as ctx:
        vp_id = service.enroll_voiceprint(ctx, login(ctx, args), args.name, args.model, embedding)
    emit(args, {"voiceprint_id": vp_id}, f"voiceprint {vp_id} enrolled for {args.name!r}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        login(ctx, args)
        with ctx.database.reading() as connection:
            entries = service.list_entries(connection)
    emit(args, [e.as_dict() for e in entries], "\n".join(_entry_text(e) for e in entries) or "(empty)")
    return 0


def _show(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        login(ctx, args)
        with ctx.database.reading() as connection:
            entry = service.get_entry(connection, args.name)
            trust = trust_state(connection, ctx.pins)
            rows, problem = entry_problem(connection, trust, entry.id), whole_problem(connection, trust, entry.id)
    warning = "" if not problem else (f"\n  NOT SIGNED, no call-backs: {problem}" if rows else
                                      f"\n  SECRETS NOT SIGNED, no code phrase or TOTP checks: {problem}")
    emit(args, {**entry.as_dict(), "signature_problem": problem}, _entry_text(entry) + warning)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("directory", help="counterparties and executives: verified numbers, enrolments")
    parser.set_defaults(func=usage(parser))
    sub = parser.add_subparsers(dest="directory_command", metavar="SUBCOMMAND")
    common = common_options()

    p = sub.add_parser("add", parents=[common], help="add a counterparty or executive (admin)")
    p.add_argument("name")
    p.add_argument("--kind", choices=service.KINDS, default="counterparty")
    p.add_argument("--organisation")
    p.set_defaults(func=_add)

    p = sub.add_parser("add-phone", parents=[common], help="add a verified call-back number (admin)")
    p.add_argument("name")
    p.add_argument("number")
    p.add_argument("--source", required=True,
                   help="where the number came from, independently of any request (contract, master data...)")
    p.add_argument("--label", default="main")
    p.set_defaults(func=_add_phone)

    p = sub.add_parser("remove-phone", parents=[common], help="withdraw a number (admin)")
    p.add_argument("phone_id", type=int)
    p.set_defaults(func=_remove_phone)

    p = sub.add_parser("sign", parents=[common],
                       help="sign an entry as it stands, after checking it (admin; entries made before signing)")
    p.add_argument("name")
    p.set_defaults(func=_sign)

    p = sub.add_parser("set-phrase", parents=[common], help="enrol a code phrase (admin; stored as a slow hash)")
    p.add_argument("name")
    p.add_argument("--phrase-file", metavar="FILE", help=f"default: ${PHRASE_ENV}, else ask")
    p.set_defaults(func=_set_phrase)

    p = sub.add_parser("enroll-totp", parents=[common], help="enrol an authenticator app (admin)")
    p.add_argument("name")
    p.set_defaults(func=_enroll_totp)

    p = sub.add_parser("enroll-voice", parents=[common], help="enrol a voiceprint embedding (admin)")
    p.add_argument("name")
    p.add_argument("--embedding", required=True, metavar="FILE", help="JSON array of numbers")
    p.add_argument("--model", required=True, help="model id that produced the embedding")
    p.set_defaults(func=_enroll_voice)

    p = sub.add_parser("list", parents=[common], help="list entries")
    p.set_defaults(func=_list)

    p = sub.add_parser("show", parents=[common], help="show one entry with its numbers and their provenance")
    p.add_argument("name")
    p.set_defaults(func=_show)
