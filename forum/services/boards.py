"""Boards: creating them (admins) and listing what a visitor may read."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from forum.audit import record_action
from forum.errors import Conflict, Invalid, NotFound, Unauthorized
from forum.models.board import Board, Visibility
from forum.policy import Actor, Permission, can_read_board

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def create_board(
    session: Session,
    actor: Actor,
    *,
    slug: str,
    name: str,
    description: str = "",
    visibility: str = "public",
) -> Board:
    """Add a board (admins only); slugs are lower-case letters, digits and dashes."""
    actor.require(Permission.BOARD_CREATE)
    errors: dict[str, list[str]] = {}
    if not SLUG.match(slug or ""):
        errors["slug"] = ["Use 1–64 lower-case letters, digits and dashes."]
    if not (name or "").strip():
        errors["name"] = ["A board needs a name."]
    if visibility not in {v.value for v in Visibility}:
        errors["visibility"] = ["Must be public, members or counsellors."]
    if errors:
        raise Invalid(errors)
    if session.scalar(select(Board.id).where(Board.slug == slug)) is not None:
        raise Conflict("A board with that slug exists.")
    position = (session.scalar(select(Board.position).order_by(Board.position.desc())) or 0) + 1
    board = Board(
        slug=slug,
        name=name.strip(),
        description=(description or "").strip(),
        visibility=visibility,
        position=position,
    )
    session.add(board)
    session.flush()
    record_action(session, actor, "board.create", "board", board.id, slug=slug)
    return board


def board_json(board: Board) -> dict[str, Any]:
    """A board as API.md shows it."""
    return {
        "slug": board.slug,
        "name": board.name,
        "description": board.description,
        "visibility": board.visibility,
        "thread_count": board.thread_count,
    }


def list_boards(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The boards this visitor may read, in their set order."""
    boards = session.scalars(select(Board).order_by(Board.position, Board.id))
    return [board_json(b) for b in boards if can_read_board(actor, b.visibility)]


_BOARD_BY_SLUG = select(Board).where(Board.slug == bindparam("slug"))  # built once


def load_readable_board(session: Session, actor: Actor, slug: str) -> Board:
    """The board, if it exists and the visitor may read it (404 hides counsellors' boards)."""
    board = session.scalar(_BOARD_BY_SLUG, {"slug": slug})
    if board is None:
        raise NotFound("No such board.")
    if not can_read_board(actor, board.visibility):
        if board.visibility == Visibility.MEMBERS and not actor.is_authenticated:
            raise Unauthorized("Sign in to read this board.")
        raise NotFound("No such board.")
    return board
