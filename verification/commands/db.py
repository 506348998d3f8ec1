"""`callshield db upgrade|status`: the database location and its schema revision."""

from __future__ import annotations

import argparse

from verification.commands.workflow_common import common_options, emit, open_context, usage
from verification.store.migrate import current_revision, head_revision


def _status(args: argparse.Namespace) -> int:
    with open_context(args) as ctx:  # opening migrates to the newest revision
        with ctx.database.reading() as connection:
            revision = current_revision(connection)
        url = ctx.database.display_url
    emit(args, {"url": url, "revision": revision, "head": head_revision()},
         f"{url}\nschema revision {revision} (newest {head_revision()})")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("db", help="database location and schema migrations")
    parser.set_defaults(func=usage(parser))
    sub = parser.add_subparsers(dest="db_command", metavar="SUBCOMMAND")
    common = common_options()
    sub.add_parser("upgrade", parents=[common], help="migrate the schema to the newest revision").set_defaults(func=_status)
    sub.add_parser("status", parents=[common], help="where the database is and its revision").set_defaults(func=_status)
