"""Signals the core sends, so plug-ins (moderation, realtime) can react without the core
importing them. Receivers run inside the sender's unit of work; anything that leaves the
process (an emit, a publish) must be deferred until after the commit."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: the user id; kwargs: kind ("mute", "suspend", "ban"), ends_at. Sent when a sanction
#: starts, so open sockets of the account can be cut off at once.
account_restricted = _signals.signal("account-restricted")

#: sender: the user id. Sent on logout-everywhere and erasure.
account_signed_out = _signals.signal("account-signed-out")

#: sender: the target type ("post", "room_message"); kwargs: target_id, author_id, place.
#: Sent when published content shows crisis language, so counsellors can be alerted.
crisis_detected = _signals.signal("crisis-detected")

#: sender: the user id; kwargs: session. Receivers return `(section_name, json_data)` for the
#: member's export (`GET /me/export`), so plug-ins add what they store about her.
collect_export = _signals.signal("collect-export")

#: sender: the user id; kwargs: session, erase_posts. Sent inside the erasure's unit of work,
#: before the account row is deleted: receivers delete (not flag) what they hold of her.
erasing_account = _signals.signal("erasing-account")
