"""`callshield policy show|default|check|propose|sign|list`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from verification.commands.workflow_common import admin_key, common_options, emit, login, open_context, usage
from verification.errors import PolicyError
from verification.policy.active import load_active_policy
from verification.policy.changes import list_policies, propose_policy, sign_policy
from verification.policy.default import default_policy
from verification.policy.in_force import policy_in_force
from verification.policy.parse import policy_document, policy_from_document, read_policy_file
from verification.policy.weakening import weakenings


def _show(args: argparse.Namespace) -> int:
    """Exits 1 when the policy the audit log activated does not verify (submissions and releases stop)."""
    refused: str | None = None
    with open_context(args) as ctx:
        with ctx.database.reading() as connection:
            active = load_active_policy(connection)
            try:
                policy_in_force(connection)
            except PolicyError as error:
                refused = str(error)
    out = {"version": active.version, "sha256": active.sha256, "problems": active.problems,
           "policy": policy_document(active.policy), "in_force": refused is None, "refused": refused}
    text = [f"active policy: version {active.version} ({'built-in default' if active.version == 0 else 'signed'}) "
            f"sha256 {active.sha256[:16]}"]
    text += [f"warning: {p}" for p in active.problems]
    if not args.json:
        text.append(json.dumps(out["policy"], indent=2))
    emit(args, out, "\n".join(text))
    if refused is not None:
        print(f"callshield: policy NOT in force: {refused}", file=sys.stderr)
        return 1
    return 0


def _default(args: argparse.Namespace) -> int:
    print(json.dumps(policy_document(default_policy()), indent=2))
    return 0


def _check(args: argparse.Namespace) -> int:
    doc = read_policy_file(Path(args.file))
    with open_context(args) as ctx:
        with ctx.database.reading() as connection:
            active = load_active_policy(connection)
    relaxed = weakenings(active.policy, policy_from_document(doc))
    text = ("valid; weakens nothing: one admin signature activates it" if not relaxed else
            "valid; WEAKENS the active policy, two admins must sign:\n" + "\n".join(f"  {w}" for w in relaxed))
    emit(args, {"valid": True, "weakens": relaxed, "against_version": active.version}, text)
    return 0


def _propose(args: argparse.Namespace) -> int:
    doc = read_policy_file(Path(args.file))
    key = admin_key(args.key)
    with open_context(args) as ctx:
        change = propose_policy(ctx, login(ctx, args), doc, key)
    text = (f"policy version {change.version} is active" if change.state == "active" else
            f"policy version {change.version} proposed; it weakens {len(change.weakens)} rule(s) and needs a second "
            f"admin: callshield policy sign {change.version}")
    emit(args, change.as_dict(), text)
    return 0


def _sign(args: argparse.Namespace) -> int:
    key = admin_key(args.key)
    with open_context(args) as ctx:
        change = sign_policy(ctx, login(ctx, args), args.version, key)
    emit(args, change.as_dict(), f"policy version {change.version}: {change.state} "
                                 f"({change.signers} of {change.needed} signatures)")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        with ctx.database.reading() as connection:
            rows = list_policies(connection)
            active = load_active_policy(connection)
    lines = [f"v{r['version']:<4} {r['state']:<9} signers {r['valid_signers']}  weakens {len(r['weakens'])}  "
             f"{r['sha256'][:16]}{'  <- in force' if r['version'] == active.version else ''}" for r in rows]
    emit(args, {"versions": rows, "in_force": active.version, "problems": active.problems},
         "\n".join(lines + [f"warning: {p}" for p in active.problems]) or "no signed policy: the built-in default applies")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("policy", help="signed, versioned admin policy")
    parser.set_defaults(func=usage(parser))
    sub = parser.add_subparsers(dest="policy_command", metavar="SUBCOMMAND")
    common = common_options()
    keyed = argparse.ArgumentParser(add_help=False)
    keyed.add_argument("--key", metavar="FILE", help="your policy-signing private key (default: $CALLSHIELD_ADMIN_KEY)")

    sub.add_parser("show", parents=[common], help="the policy in force").set_defaults(func=_show)
    sub.add_parser("default", help="print the built-in default policy (a starting point)").set_defaults(func=_default)
    p = sub.add_parser("check", parents=[common], help="validate a policy file and list what it would weaken")
    p.add_argument("file")
    p.set_defaults(func=_check)
    p = sub.add_parser("propose", parents=[common, keyed], help="propose and sign a policy file (admin)")
    p.add_argument("file")
    p.set_defaults(func=_propose)
    p = sub.add_parser("sign", parents=[common, keyed], help="add your signature to a proposed version (admin)")
    p.add_argument("version", type=int)
    p.set_defaults(func=_sign)
    sub.add_parser("list", parents=[common], help="all versions and their state").set_defaults(func=_list)
