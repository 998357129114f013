"""Saheli's core: accounts, boards, threads, posts, rooms.

`create_app` is the composition root. It is defined here but builds the application from
`forum.app` only when called, so that `forum serve` can patch the standard library for gevent
before Flask, SQLAlchemy or psycopg import the network stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application; `config` overrides defaults and the environment (tests)."""
    from forum.app import build_app

    return build_app(config)
