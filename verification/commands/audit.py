"""`callshield audit verify|pack|verify-pack|log|trust-root|register-installation|retire-installation|key`:
the tamper-evident log, evidence packs, and installations' audit keys.

`verify` and `verify-pack` exit 1 with one line naming the first broken or missing record; `verify`
also exits 1 when this machine holds no anchor for the database (`--pin` accepts the current head) or a
request row disagrees with its signed records. `pack` refuses a chain or statements that do not verify."""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path
from typing import Any

from verification.audit.anchor import AnchorFile
from verification.audit.anchored_check import verify_anchored
from verification.audit.pack import build_pack
from verification.audit.pack_verify import verify_pack
from verification.audit.pack_html import render_pack_html
from verification.audit.verify import read_records
from verification.commands.workflow_common import common_options, data_dir_of, emit, login, open_context, usage
from verification.errors import AuditError
from verification.trust.pinning import export_root, pin_root, read_root_file
from verification.json_input import read_json_file
from verification.trust.installations import installation_keys, retirement_problems
from verification.trust.root import RootPins, TrustRoot
from verification.trust.store import pinned_root, trust_state
from verification.workflow.installations import register_installation, retire_installation
from verification.workflow.directory_signing import directory_problems
from verification.workflow.row_integrity import request_row_problems


def _verify(args: argparse.Namespace) -> int:
    anchors = AnchorFile.in_data_dir(data_dir_of(args))
    with open_context(args) as ctx:
        check = verify_anchored(ctx.database, anchors, ctx.pins, pin=args.pin, remember=not args.no_anchor)
        with ctx.database.reading() as connection:
            trust = trust_state(connection, ctx.pins)
            entries = directory_problems(connection, trust)
            requests = request_row_problems(connection, trust)
            retired = retirement_problems(connection, trust)
    rows = retired + entries + requests
    result = check.chain
    if args.json and not (check.ok and not rows):
        print(json.dumps({**check.as_dict(), "request_problems": requests,
                          "directory_problems": entries, "retirement_problems": retired}, indent=2))
    if not result.ok:
        print(f"callshield: audit log broken: {result.problem}", file=sys.stderr)
        return 1
    if check.unanchored:
        empty = " (the log is empty: nothing to pin yet)" if result.head_seq == 0 else ""
        print(f"callshield: audit log unanchored: {result.records} records verified, head {result.head_seq} "
              f"{result.head_hash}, but this machine holds no anchor for this database, so a truncated or "
              f"rewritten chain would look the same; compare the head with a machine or record you trust, then "
              f"run `callshield audit verify --pin`{empty}", file=sys.stderr)
        return 1
    if rows:
        more = f" (and {len(rows) - 1} more)" if len(rows) > 1 else ""
        print(f"callshield: {rows[0]}{more}", file=sys.stderr)
        return 1
    pinned = "; pinned as this machine's anchor" if check.pinned else ""
    emit(args, check.as_dict(),
         f"audit log intact: {result.records} records; head {result.head_seq} {result.head_hash}{pinned}")
    return 0


def _pack(args: argparse.Namespace) -> int:
    """Refuses (exit 2, one line) on a chain that does not verify; nothing is written."""
    anchors = AnchorFile.in_data_dir(data_dir_of(args))
    with open_context(args) as ctx:
        login(ctx, args)
        chain = verify_anchored(ctx.database, anchors, ctx.pins, remember=False).chain
        if not chain.ok:
            raise AuditError(f"no evidence pack for request {args.id}: audit log broken: {chain.problem}")
        with ctx.database.reading() as connection:
            pack = build_pack(connection, args.id, ctx.audit.key, ctx.clock, ctx.pins)
            root = pinned_root(connection, ctx.pins)
    check = verify_pack(pack, root)  # statements that do not verify: no pack
    if not check.ok:
        raise AuditError(f"no evidence pack for request {args.id}: it does not verify: {check.problem}")
    text = json.dumps(pack, indent=2, sort_keys=True)
    if args.out:
        Path(args.out).write_text(text)
    else:
        print(text)
    if args.html:
        Path(args.html).write_text(render_pack_html(pack, check.ok, check.problem))
    if args.out:
        print(f"evidence pack for request {args.id}: {args.out} ({check.records} signed records)", file=sys.stderr)
    return 0


def _pack_root(args: argparse.Namespace, pack: Any) -> TrustRoot | None:
    """`--root FILE`, else the root this machine pinned for the pack's database: never the pack's own copy.
    None when the pack names no database (verify_pack then says how it is malformed)."""
    if args.root:
        return read_root_file(Path(args.root))
    try:
        database = str(pack["trust"]["root"]["database_id"])
    except (KeyError, TypeError):
        return None
    root = RootPins.in_data_dir(data_dir_of(args)).get(database)
    if root is None:
        raise AuditError(f"no trust root to check {args.file} against: pass --root FILE (exported with "
                         f"`callshield audit trust-root --out FILE`) or --data-dir of a machine that pinned it")
    return root


def _verify_pack(args: argparse.Namespace) -> int:
    pack = read_json_file(Path(args.file), "evidence pack", AuditError)
    check = verify_pack(pack, _pack_root(args, pack))
    if args.html and isinstance(pack, dict) and "request" in pack:
        Path(args.html).write_text(render_pack_html(pack, check.ok, check.problem))
    if not check.ok:
        print(f"callshield: evidence pack {args.file} NOT valid: {check.problem}", file=sys.stderr)
        return 1
    emit(args, {"ok": True, "records": check.records, "keys": check.keys},
         f"evidence pack valid: {check.records} signed records; signing key(s) {', '.join(check.keys)}")
    return 0


def _log(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        login(ctx, args)
        with ctx.database.reading() as connection:
            bodies = [json.loads(r.body) for r in read_records(connection)]
    if args.subject:
        bodies = [b for b in bodies if b["subject"] == args.subject]
    bodies = bodies[-args.limit:]
    emit(args, bodies, "\n".join(f"{b['seq']:>6} {b['at']} {b['actor']:<16} {b['action']:<28} {b['subject']}"
                                 for b in bodies))
    return 0


def _key(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        key = ctx.audit.key
        with ctx.database.reading() as connection:
            registered = installation_keys(connection, ctx.pins).get(key.key_id) == key.public_b64
    state = "registered by an admin" if registered else \
        "NOT registered: an admin must run `callshield audit register-installation` on this machine"
    emit(args, {"key_id": key.key_id, "public_key": key.public_b64, "registered": registered},
         f"installation audit key {key.key_id} ({state})\npublic key {key.public_b64}")
    return 0


def _register_installation(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        label = args.label or platform.node() or "installation"
        key_id, retired = register_installation(ctx, login(ctx, args), label)
    note = f"; retired the old key {', '.join(retired)} of this machine" if retired else ""
    emit(args, {"key_id": key_id, "registered": True, "retired": retired},
         f"installation audit key {key_id} registered: this machine can write the audit log again{note}")
    return 0


def _retire_installation(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        retire_installation(ctx, login(ctx, args), args.key_id, args.reason)
    emit(args, {"key_id": args.key_id, "retired": True},
         f"installation audit key {args.key_id} retired: nothing it signs from now on counts")
    return 0


def _trust_root(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        assert ctx.pins is not None
        with ctx.database.transaction() as connection:
            if args.pin:
                root = pin_root(connection, ctx.pins, read_root_file(Path(args.pin)))
                verb = "pinned"
            else:
                root = export_root(connection, ctx.pins)
                verb = "pinned here"
    if args.out:
        Path(args.out).write_text(json.dumps(root.as_dict(), indent=2, sort_keys=True))
    names = ", ".join(k.user_name for k in root.keys)
    emit(args, {**root.as_dict(), "fingerprint": root.fingerprint},
         f"trust root {verb}: fingerprint {root.fingerprint} (admins {names}); compare the fingerprint by phone")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("audit", help="verify the signed audit log; evidence packs")
    parser.set_defaults(func=usage(parser))
    sub = parser.add_subparsers(dest="audit_command", metavar="SUBCOMMAND")
    common = common_options()

    p = sub.add_parser("verify", parents=[common], help="check the whole chain (exit 1 naming the first bad record)")
    p.add_argument("--no-anchor", action="store_true", help="do not move this machine's anchor on to this head")
    p.add_argument("--pin", action="store_true",
                   help="no anchor for this database on this machine yet: accept the current head as its anchor "
                        "(compare the head with a machine or record you trust first)")
    p.set_defaults(func=_verify)
    p = sub.add_parser("pack", parents=[common], help="evidence pack for a request (JSON, and HTML with --html)")
    p.add_argument("id", type=int)
    p.add_argument("--out", metavar="PACK.json")
    p.add_argument("--html", metavar="PACK.html")
    p.set_defaults(func=_pack)
    p = sub.add_parser("verify-pack", help="check an evidence pack offline (exit 1 when not valid)")
    p.add_argument("file")
    p.add_argument("--root", metavar="FILE", help="the organisation's trust root (from `audit trust-root --out`); "
                                                  "default: the root pinned in the data directory")
    p.add_argument("--data-dir", metavar="DIR", default=None, help="data directory holding the pinned root")
    p.add_argument("--html", metavar="OUT.html", help="also render it, with the verification result")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_verify_pack)
    p = sub.add_parser("log", parents=[common], help="recent audit records")
    p.add_argument("--subject", help="e.g. request:12, user:alice, policy:3")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=_log)
    p = sub.add_parser("trust-root", parents=[common],
                       help="show, export (--out) or pin (--pin FILE) the organisation's trust root on this machine")
    p.add_argument("--out", metavar="FILE", help="write the root pinned on this machine, for other machines")
    p.add_argument("--pin", metavar="FILE", help="pin the root an admin exported (check its fingerprint by phone)")
    p.set_defaults(func=_trust_root)
    p = sub.add_parser("register-installation", parents=[common],
                       help="as an admin on this machine: register its audit key (after the key file was lost)")
    p.add_argument("--label", default=None,
                   help="which machine this is (default: its host name); a key registered earlier under the same "
                        "label is retired")
    p.set_defaults(func=_register_installation)
    p = sub.add_parser("retire-installation", parents=[common],
                       help="as an admin: retire an installation's audit key (a stolen or lost machine)")
    p.add_argument("key_id", help="the key id (`callshield audit key` on that machine, or the audit log)")
    p.add_argument("--reason", required=True, help="why, for the record")
    p.set_defaults(func=_retire_installation)
    p = sub.add_parser("key", parents=[common], help="this installation's audit key id (publish it)")
    p.set_defaults(func=_key)
