"""Delivery: which sockets a message must skip (the block rule, `forum.policy`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from forum.models.room import (
    Room,
    RoomMessage,
)
from forum.realtime.channels import require_totp
from forum.realtime.state import RoomState
from forum.services import rooms


def skipped_sids(session: Session, state: RoomState, room: Room, message: RoomMessage,
                  *, has_blocks: bool = True) -> list[str]:
    """Sockets in the room whose person a block keeps from this message
    (`rooms.kept_apart`; `has_blocks` False: the caller knows no block involves the author)."""
    if not has_blocks:
        return []
    apart = rooms.kept_apart(session, room, message.author_id,
                             anonymous=message.is_anonymous, require_totp=require_totp())
    if not apart:  # the common case: no member list needed at all
        return []
    sids: list[str] = []
    for user_id in sorted(apart & set(state.members(room.id))):
        sids.extend(sorted(state.sockets_in_room(room.id, user_id)))
    return sids
