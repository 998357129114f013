"""The per-event re-check: one prebuilt statement reads the token row, the account, its
sanctions in force, whether a `RoomBan` keeps it out or a `RoomMute` silences it, whether
it is already one of the room's participants (`RoomParticipant`), and whether any block
involves it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, exists, or_, select

from forum.models.room import (
    Room,
    RoomBan,
    RoomMute,
    RoomParticipant,
)
from forum.models.safety import Block, Sanction
from forum.models.user import AuthToken, User


def recheck_query(*, with_room: bool) -> Any:
    """The event re-check (see `RoomsNamespace._recheck`), built once: parameters `user_id`,
    `token_id`, `now` and, `with_room`, `slug`."""
    now = bindparam("now")
    has_blocks = exists().where(
        or_(Block.blocker_id == User.id, Block.blocked_id == User.id)
    ).label("has_blocks")
    query = (
        select(User, AuthToken.expires_at, Sanction.kind, has_blocks)
        .join(AuthToken, and_(AuthToken.user_id == User.id,
                              AuthToken.id == bindparam("token_id")))
        .outerjoin(Sanction, and_(
            Sanction.user_id == User.id,
            Sanction.lifted_at.is_(None),
            Sanction.starts_at <= now,
            or_(Sanction.ends_at.is_(None), Sanction.ends_at > now),
        ))
        .where(User.id == bindparam("user_id"))
    )
    if with_room:
        query = (
            query.add_columns(Room, RoomBan.user_id, RoomMute.user_id, RoomParticipant.user_id)
            .outerjoin(Room, Room.slug == bindparam("slug"))
            .outerjoin(RoomBan, and_(RoomBan.room_id == Room.id, RoomBan.user_id == User.id))
            .outerjoin(RoomMute, and_(RoomMute.room_id == Room.id, RoomMute.user_id == User.id))
            .outerjoin(RoomParticipant, and_(RoomParticipant.room_id == Room.id,
                                             RoomParticipant.user_id == User.id))
        )
    return query


RECHECK = recheck_query(with_room=False)
RECHECK_ROOM = recheck_query(with_room=True)
