"""The serving process defers the Socket.IO client transports (`forum.ops.deferred`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: Run as `forum serve` starts: gevent first, then the deferral, then the whole application.
PROBE = """
import json, sys
from gevent import monkey
monkey.patch_all()
from forum.ops.deferred import CLIENT_TRANSPORTS, defer_client_transports
defer_client_transports()
from forum import create_app
create_app({"INSTANCE_PATH": sys.argv[1], "FORUM_DATABASE_URL": "sqlite://",
            "FORUM_SECRET_KEY": "test"})
ran = sorted(m for m in CLIENT_TRANSPORTS
             if m in sys.modules and type(sys.modules[m]).__name__ != "_LazyModule")
imported = sorted(m for m in CLIENT_TRANSPORTS if m in sys.modules)
import requests
session = requests.Session()  # the first use runs the module, whole
print(json.dumps({"ran": ran, "imported": imported,
                  "after_use": type(sys.modules["requests"]).__name__,
                  "urllib3": "urllib3" in sys.modules}))
"""


def test_the_app_imports_the_client_transports_without_running_them(tmp_path: Path) -> None:
    """python-engineio imports requests, websocket-client and aiohttp whenever they are
    installed (12 MB a process); a server never runs them. With the deferral the imports
    succeed, none of them runs while the app is built, and the first real use still gets the
    whole module."""
    pytest.importorskip("requests")
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["ran"] == []
    assert "requests" in seen["imported"]  # imported (by engineio), just not run
    assert seen["after_use"] == "module"
    assert seen["urllib3"] is True


def test_deferring_twice_installs_one_finder() -> None:
    from forum.ops.deferred import _DeferringFinder, defer_client_transports

    before = list(sys.meta_path)
    try:
        defer_client_transports()
        defer_client_transports()
        assert sum(isinstance(f, _DeferringFinder) for f in sys.meta_path) == 1
    finally:
        sys.meta_path[:] = before
