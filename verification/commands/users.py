"""`callshield users init|add|list|roles|confirm-admin|passwd|disable|whoami|keygen|register-key|revoke-key`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from verification.audit.keys import SigningKey, write_private_key
from verification.commands.workflow_common import (KEY_PASSPHRASE_ENV, admin_key, common_options, emit, login,
                                                   open_context, read_secret, usage)
from verification.errors import AuthError
from verification.trust.pinning import export_root
from verification.workflow import policy_keys
from verification.workflow import users as service
from verification.workflow.roles import Role

NEW_PASSWORD_ENV = "CALLSHIELD_NEW_PASSWORD"
SECOND_PASSWORD_ENV = "CALLSHIELD_SECOND_PASSWORD"


def _roles(values: list[str]) -> list[Role]:
    try:
        return [Role(v) for v in values]
    except ValueError as error:
        raise AuthError(f"unknown role in {values}: use requester, approver, admin") from error


def _init(args: argparse.Namespace) -> int:
    """The set-up ceremony: each first admin types their own password; their keys become the trust root."""
    admins = [(args.name, read_secret(args.password_file, NEW_PASSWORD_ENV, f"new password for {args.name}"),
               args.display_name)]
    if args.second:
        admins.append((args.second, read_secret(args.second_password_file, SECOND_PASSWORD_ENV,
                                                f"new password for {args.second} (typed by {args.second})"), None))
    with open_context(args) as ctx:
        created = service.bootstrap_admins(ctx, admins)
        assert ctx.pins is not None
        with ctx.database.reading() as connection:
            root = export_root(connection, ctx.pins)
    lone = "" if len(created) > 1 else ("; a lone admin cannot grant approver or admin roles: "
                                         "set up with --second NAME to have two")
    emit(args, [u.as_dict() for u in created],
         f"created first admin(s) {', '.join(repr(u.name) for u in created)}; trust root {root.fingerprint} "
         f"pinned here{lone}")
    return 0


def _add(args: argparse.Namespace) -> int:
    password = read_secret(args.password_file, NEW_PASSWORD_ENV, f"new password for {args.name}")
    with open_context(args) as ctx:
        user = service.add_user(ctx, login(ctx, args), args.name, _roles(args.role), password, args.display_name,
                                args.os_account)
    waiting = sorted({r.value for r in _roles(args.role)} - {r.value for r in user.roles})
    note = (f" ({', '.join(waiting)} waits for a second admin: users confirm-admin {user.name})" if waiting else "")
    emit(args, user.as_dict(), f"added {user.name!r} with roles {', '.join(sorted(r.value for r in user.roles))}{note}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        login(ctx, args)
        with ctx.database.reading() as connection:
            people = service.list_users(connection)
    lines = [f"{u.name:<20} {','.join(sorted(r.value for r in u.roles)):<28} {'active' if u.active else 'disabled'}"
             + ("  admin pending" if u.pending_admin_by else "") for u in people]
    emit(args, [u.as_dict() for u in people], "\n".join(lines))
    return 0


def _set_roles(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        user = service.set_roles(ctx, login(ctx, args), args.name, _roles(args.role))
    emit(args, user.as_dict(), f"{user.name!r} now has roles {', '.join(sorted(r.value for r in user.roles))}")
    return 0


def _confirm_admin(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        user = service.confirm_admin(ctx, login(ctx, args), args.name)
    emit(args, user.as_dict(), f"confirmed: {user.name!r} now has roles {', '.join(sorted(r.value for r in user.roles))}")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    password = read_secret(args.password_file, NEW_PASSWORD_ENV, "new password")
    with open_context(args) as ctx:
        actor = login(ctx, args)
        service.set_password(ctx, actor, args.name or actor.name, password)
    emit(args, {"ok": True}, "password changed")
    return 0


def _disable(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        user = service.disable_user(ctx, login(ctx, args), args.name)
    emit(args, user.as_dict(), f"{user.name!r} disabled")
    return 0


def _whoami(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        user = login(ctx, args)
    emit(args, user.as_dict(), f"{user.name} ({', '.join(sorted(r.value for r in user.roles))})")
    return 0


def _keygen(args: argparse.Namespace) -> int:
    """Local only: writes an owner-only private key file for signing policies; registers nothing."""
    out = Path(args.out)
    passphrase = os.environ.get(KEY_PASSPHRASE_ENV)
    private = Ed25519PrivateKey.generate()
    try:
        write_private_key(out, private, passphrase.encode("utf-8") if passphrase else None)
    except FileExistsError as error:
        raise AuthError(f"{out} already exists; not overwriting a key") from error
    key = SigningKey.from_private(private)
    emit(args, {"key_id": key.key_id, "public_key": key.public_b64, "path": str(out)},
         f"wrote {out} (key id {key.key_id}); register it with `callshield users register-key --key {out}`")
    return 0


def _register_key(args: argparse.Namespace) -> int:
    key = admin_key(args.key)
    with open_context(args) as ctx:
        key_id = policy_keys.register_admin_key(ctx, login(ctx, args), key.public_b64)
    emit(args, {"key_id": key_id}, f"registered policy signing key {key_id}")
    return 0


def _revoke_key(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:
        policy_keys.revoke_admin_key(ctx, login(ctx, args), args.key_id)
    emit(args, {"revoked": args.key_id}, f"revoked key {args.key_id}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("users", help="users, roles, passwords and admin signing keys")
    parser.set_defaults(func=usage(parser))
    sub = parser.add_subparsers(dest="users_command", metavar="SUBCOMMAND")
    common = common_options()
    secret = argparse.ArgumentParser(add_help=False)
    secret.add_argument("--password-file", metavar="FILE",
                        help=f"read the new password from FILE (default: ${NEW_PASSWORD_ENV}, else ask)")

    p = sub.add_parser("init", parents=[common, secret],
                       help="set-up ceremony: the first admin(s), whose keys become the trust root (empty database)")
    p.add_argument("name")
    p.add_argument("--display-name")
    p.add_argument("--second", metavar="NAME", help="the second first admin (recommended: two-person rules need two)")
    p.add_argument("--second-password-file", metavar="FILE",
                   help=f"the second admin's password (default: ${SECOND_PASSWORD_ENV}, else ask)")
    p.set_defaults(func=_init)

    p = sub.add_parser("add", parents=[common, secret], help="add a user (admin)")
    p.add_argument("name")
    p.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
    p.add_argument("--display-name")
    p.add_argument("--os-account", help="operating-system account that may log in as this user (--os-login)")
    p.set_defaults(func=_add)

    p = sub.add_parser("list", parents=[common], help="list users")
    p.set_defaults(func=_list)

    p = sub.add_parser("roles", parents=[common], help="replace a user's roles (admin)")
    p.add_argument("name")
    p.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
    p.set_defaults(func=_set_roles)

    p = sub.add_parser("confirm-admin", parents=[common], help="confirm another admin's admin grant")
    p.add_argument("name")
    p.set_defaults(func=_confirm_admin)

    p = sub.add_parser("passwd", parents=[common, secret], help="change your password (or a user's, as admin)")
    p.add_argument("name", nargs="?")
    p.set_defaults(func=_passwd)

    p = sub.add_parser("disable", parents=[common], help="disable a user (admin)")
    p.add_argument("name")
    p.set_defaults(func=_disable)

    p = sub.add_parser("whoami", parents=[common], help="check the credentials in use")
    p.set_defaults(func=_whoami)

    p = sub.add_parser("keygen", help="write a new policy-signing private key (passphrase: $CALLSHIELD_KEY_PASSPHRASE)")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_keygen)

    p = sub.add_parser("register-key", parents=[common], help="register your policy-signing public key (admin)")
    p.add_argument("--key", metavar="FILE", help="private key file (default: $CALLSHIELD_ADMIN_KEY)")
    p.set_defaults(func=_register_key)

    p = sub.add_parser("revoke-key", parents=[common], help="revoke a policy-signing key (admin)")
    p.add_argument("key_id")
    p.set_defaults(func=_revoke_key)
