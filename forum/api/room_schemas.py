"""Request and response shapes of the rooms and private-support API, as pydantic models
(requests are validated by them; responses are described by them in the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field, StrictInt, StrictStr

from forum.api.schemas import In, Out, UserOut


class RoomIn(In):
    title: StrictStr = Field(max_length=400)
    description: StrictStr = Field(default="", max_length=4000)
    # ISO 8601 with a zone, e.g. "2026-03-08T15:00:00Z" (JSON has no datetime type, so the
    # strict base is relaxed for this one field).
    starts_at: AwareDatetime | None = Field(default=None, strict=False)
    capacity: StrictInt | None = Field(default=None, ge=2, le=500)


class SupportRequestIn(In):
    topic: StrictStr | None = Field(default=None, max_length=400)


class RoomOut(Out):
    slug: str
    title: str
    description: str
    host: UserOut | None
    status: Literal["scheduled", "open", "closed"]
    starts_at: str | None
    capacity: int
    participant_count: int
    locked: bool
    slow_mode_seconds: int
    private: bool = False


class RoomsOut(Out):
    rooms: list[RoomOut]


class RoomEnvelope(Out):
    room: RoomOut


class RoomMessageOut(Out):
    room: str
    id: int
    author: UserOut | None
    anonymous: bool
    body_html: str
    status: Literal["published", "pending", "removed"]
    created_at: str


class RoomMessagesOut(Out):
    messages: list[RoomMessageOut]


class SupportRequestOut(Out):
    id: int
    status: Literal["waiting", "accepted", "cancelled", "offered", "declined"]
    topic: str = ""
    created_at: str | None = None
    accepted_at: str | None = None
    member: UserOut | None = None
    waiting_seconds: int | None = None
    #: Made on her behalf by a counsellor's `offer_support` (never names her: see `about`).
    offered: bool = False
    #: Born from a crisis offer, or crisis language in the topic: listed first.
    crisis: bool = False
    about: str | None = None


class SupportRequestEnvelope(Out):
    request: SupportRequestOut


class SupportRequestsOut(Out):
    requests: list[SupportRequestOut]


class SupportAcceptedOut(Out):
    request: SupportRequestOut
    room: RoomOut


__all__ = [
    "RoomEnvelope", "RoomIn", "RoomMessageOut", "RoomMessagesOut", "RoomOut", "RoomsOut",
    "SupportAcceptedOut", "SupportRequestEnvelope", "SupportRequestIn", "SupportRequestOut",
    "SupportRequestsOut",
]
