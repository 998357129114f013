"""Notifications, their settings and thread follows over JSON (API.md, "Notifications")."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from forum import db
from forum.api import schemas as s
from forum.api.core import endpoint
from forum.policy import Actor
from forum.services import notifications, posting
from forum.shapes import page_size


@endpoint("/notifications", "GET", summary="Her notifications, newest first", tag="notifications",
          response=s.NotificationsOut, errors=(401, 422), reads=True,
          query=(("unread", "boolean"), ("cursor", "string"), ("limit", "integer")))
def list_notifications(actor: Actor) -> dict[str, Any]:
    unread = request.args.get("unread", "").lower() in {"true", "1", "yes"}
    items, unread_count, next_cursor = notifications.list_notifications(
        db.session(), actor, unread=unread, cursor=request.args.get("cursor"),
        limit=page_size(request.args.get("limit")),
    )
    return {"notifications": items, "unread_count": unread_count, "next_cursor": next_cursor}


@endpoint("/notifications/unread-count", "GET", tag="notifications",
          summary="Her unread count only (ETag; If-None-Match answers 304): for a badge",
          response=s.UnreadCountOut, errors=(401,), reads=True)
def unread_count(actor: Actor) -> Response:
    user = actor.require_user()
    count = notifications.unread_count(db.session(), user.id)
    tag = f'"n{user.id}-{count}"'
    if tag in request.headers.get("If-None-Match", ""):
        response = Response(status=304)
    else:
        response = jsonify({"unread_count": count})
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = "no-cache, private"
    return response


@endpoint("/notifications/read", "POST", summary="Mark notifications read (none named: all)",
          tag="notifications", body=s.NotificationsReadIn, status=204, errors=(401, 422))
def mark_read(actor: Actor, body: s.NotificationsReadIn) -> tuple[None, int]:
    notifications.mark_read(db.session(), actor, body.ids)
    return None, 204


@endpoint("/me/notification-settings", "GET", summary="Quiet hours, time zone, muted boards",
          tag="notifications", response=s.NotificationSettingsEnvelope, errors=(401,),
          reads=True)
def get_settings(actor: Actor) -> dict[str, Any]:
    user = actor.require_user()
    return {"settings": notifications.settings_json(db.session(), user.id)}


@endpoint("/me/notification-settings", "PATCH", summary="Change quiet hours, time zone or "
          "muted boards (only the fields sent)", tag="notifications",
          body=s.NotificationSettingsIn, response=s.NotificationSettingsEnvelope,
          errors=(401, 422))
def patch_settings(actor: Actor, body: s.NotificationSettingsIn) -> dict[str, Any]:
    changes = body.model_dump(include=body.model_fields_set)
    return {"settings": notifications.update_settings(db.session(), actor, changes)}


@endpoint("/threads/<int:thread_id>/follow", "PUT", summary="Follow a thread",
          tag="notifications", status=204, errors=(401, 404))
def follow(actor: Actor, thread_id: int) -> tuple[None, int]:
    session = db.session()
    actor.require_user()
    thread, _board = posting.load_thread(session, actor, thread_id)
    notifications.set_following(session, actor, thread, True)
    return None, 204


@endpoint("/threads/<int:thread_id>/follow", "DELETE", summary="Unfollow a thread (kept: "
          "replying again does not follow it)", tag="notifications", status=204,
          errors=(401, 404))
def unfollow(actor: Actor, thread_id: int) -> tuple[None, int]:
    session = db.session()
    actor.require_user()
    thread, _board = posting.load_thread(session, actor, thread_id)
    notifications.set_following(session, actor, thread, False)
    return None, 204
