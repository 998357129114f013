"""The `forum` console script.

`forum serve` runs under gevent, whose monkey-patching must happen before anything imports
the network stack (socket, ssl, threading in Flask, SQLAlchemy, psycopg, redis). So this module
imports nothing heavy at the top: it patches first, then loads the commands. The server also
defers the Socket.IO client transports it never uses (`forum.ops.deferred`).
"""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the `forum` command."""
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        from gevent import monkey

        monkey.patch_all()
        from forum.ops.deferred import defer_client_transports

        defer_client_transports()

    from forum.ops.commands import cli

    cli.main(prog_name="forum")


if __name__ == "__main__":
    main()
