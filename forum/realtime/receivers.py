"""Signal receivers: what the rest of the forum tells the sockets (an account restricted,
tokens revoked, a role changed, a room changed, a support request made or accepted).
Connected once at import (blinker keeps them strongly: they are functions of this module),
each finding the running app through `current_app`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from forum.realtime.namespace import current_namespace
from forum.services import rooms
from forum.signals import account_restricted, notified, role_changed, tokens_revoked


def _on_account_restricted(user_id: Any, **extra: Any) -> None:
    """A mute changes nothing for open sockets (every message is re-checked); a suspension
    or ban cuts them now. The sanction may still roll back: then the member just reconnects."""
    if extra.get("kind") not in {"suspend", "ban"}:
        return
    namespace = current_namespace()
    if namespace is not None and isinstance(user_id, int):
        namespace.disconnect_user(user_id)


def _on_tokens_revoked(user_id: Any, token_ids: Iterable[int] = (), **_extra: Any) -> None:
    """Tokens (or browser sessions) were deleted and the deletion committed, whatever the
    path (logout, `DELETE /me/sessions/{id}`, recovery, suspension, ban, erasure): their
    sockets stop hearing anything now, on every process. Other tokens' sockets stay."""
    namespace = current_namespace()
    if namespace is not None:
        namespace.disconnect_tokens(token_ids)


def _on_role_changed(user_id: Any, **_extra: Any) -> None:
    """A committed role change: the account's sockets hold the old role's channels (the
    counsellors' support requests, the staff channel of rooms); cut them, so they
    reconnect with the new role."""
    namespace = current_namespace()
    if namespace is not None and isinstance(user_id, int):
        namespace.disconnect_user(user_id)


def _on_room_changed(room_id: Any, **_extra: Any) -> None:
    namespace = current_namespace()
    if namespace is not None:
        namespace.announce_room(int(room_id))


def _on_support_requested(request_id: Any, **_extra: Any) -> None:
    namespace = current_namespace()
    if namespace is not None:
        namespace.announce_support_request(int(request_id))


def _on_support_accepted(request_id: Any, **_extra: Any) -> None:
    namespace = current_namespace()
    if namespace is not None:
        namespace.announce_support_accepted(int(request_id))


def _on_notified(_sender: Any, user_ids: Iterable[int] = (), **_extra: Any) -> None:
    """Notifications were committed for these accounts: push them to open sockets."""
    namespace = current_namespace()
    if namespace is not None:
        namespace.announce_notifications(user_ids)


# Module-level receivers, connected once (blinker keeps them strongly: they are functions
# of this module), each finding the running app through `current_app`.
account_restricted.connect(_on_account_restricted)
tokens_revoked.connect(_on_tokens_revoked)
role_changed.connect(_on_role_changed)
notified.connect(_on_notified)
rooms.room_changed.connect(_on_room_changed)
rooms.support_requested.connect(_on_support_requested)
rooms.support_accepted.connect(_on_support_accepted)
