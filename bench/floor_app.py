"""The HTTP floor: a bare Flask app answering fixed JSON from memory, served by exactly the
same server configuration as Saheli (`forum.ops.server.serve`: gevent pywsgi, one process, the same
access log), so the ratio measures Saheli's own cost and nothing else.

Run: `python bench/floor_app.py PORT JSON_FILE` (it gevent-patches first, like `forum serve`).
"""

from __future__ import annotations

import sys

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from flask import Flask, Response  # noqa: E402

from forum.ops.server import serve  # noqa: E402


def build(payloads: dict[str, object]) -> Flask:
    """Routes with the paths Saheli answers, each returning its recorded JSON."""
    app = Flask("floor")
    encoded = {path: json.dumps(body) for path, body in payloads.items()}

    def make_view(body: str):  # type: ignore[no-untyped-def]
        return lambda **_kw: Response(body, mimetype="application/json")

    for index, (path, body) in enumerate(encoded.items()):
        app.add_url_rule(path, f"r{index}", make_view(body))
    return app


if __name__ == "__main__":
    port = int(sys.argv[1])
    payloads = json.loads(Path(sys.argv[2]).read_text())
    serve(build(payloads), "127.0.0.1", port)
