"""Libraries a serving process imports but never runs, loaded only when first used.

Why: python-engineio's package imports its *client* transports whenever they are installed
(``engineio.client`` imports requests and websocket-client, ``engineio.async_client`` imports
aiohttp), and ``flask_socketio`` imports python-socketio, which imports them all. A server
never acts as a Socket.IO client, yet each process paid about 12 MB for them (measured: idle
RSS with and without them, docs/performance.md). A runtime-only install does not have them;
the dev extra (the tests' Socket.IO clients, the benchmarks' load generator) does.

``defer_client_transports`` makes those imports lazy (``importlib.util.LazyLoader``): the
import succeeds and the module runs at its first attribute access, so anything that does use
them still gets them whole. Only `forum serve` calls it, before anything is imported.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

__all__ = ["CLIENT_TRANSPORTS", "defer_client_transports"]

#: Top-level packages only Socket.IO and Engine.IO *clients* use.
CLIENT_TRANSPORTS = frozenset({"aiohttp", "requests", "websocket"})


class _DeferringFinder(importlib.abc.MetaPathFinder):
    """Finds the named top-level packages as usual, and loads them lazily."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec  # not installed (the import fails as it would), or not lazy-loadable
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def defer_client_transports(names: frozenset[str] = CLIENT_TRANSPORTS) -> None:
    """Load ``names`` lazily from now on in this process (once; later calls do nothing)."""
    if any(isinstance(finder, _DeferringFinder) for finder in sys.meta_path):
        return
    sys.meta_path.insert(0, _DeferringFinder(names))
