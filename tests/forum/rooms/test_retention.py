"""Room messages are deleted a configured number of days after the room closes, by
`forum purge-rooms` (and hourly by `forum serve`), except those under an open report."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from forum.models.room import Room, RoomMessage


def test_purge_rooms_deletes_old_messages_but_keeps_reported_ones(app, make_user, client):
    host = make_user("counsellor")
    member = make_user()
    session = app.extensions["forum.db"].new_session()
    old = Room(slug="old-circle", title="Old", host_id=host.id, status="closed",
               closed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=31))
    recent = Room(slug="recent-circle", title="Recent", host_id=host.id, status="closed",
                  closed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    session.add_all([old, recent])
    session.flush()
    messages = [RoomMessage(room_id=room.id, author_id=member.id, body=f"m{i}",
                            body_html=f"<p>m{i}</p>")
                for room in (old, recent) for i in range(2)]
    session.add_all(messages)
    session.commit()
    reported = messages[0].id
    from moderation.models import Report

    session.add(Report(reporter_id=host.id, target_type="room_message", target_id=reported,
                       reason="harassment", status="open", snapshot={"text": "m0"}))
    session.commit()
    result = app.test_cli_runner().invoke(args=["purge-rooms"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 room message" in result.output
    left = set(session.scalars(select(RoomMessage.id)).all())
    assert left == {reported, messages[2].id, messages[3].id}
