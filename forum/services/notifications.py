"""Notifications: the one place that decides whether, and what, a member is told.

Entry points (every feature calls these, inside its own unit of work; nothing here commits):

- `notify(session, recipient_id, kind, *, actor_id=None, anonymous=False, **refs)` — one
  notification to one member. `kind` is a `NotificationKind` (`reply`, `support`,
  `report_outcome`, `sanction`, `appeal_decided`, `support_accepted`, `support_offered`,
  `shield_offer`, `shield_held`, `helper_invite`); `refs` are the ids it is about
  (`thread_id`, `post_id`, `room_id`, `request_id`, `report_id`, `sanction_id`, `appeal_id`,
  `invite_id`) and `board_id` (only to honour a muted board; not stored). `actor_id` is
  whoever caused it, when a member did (a reply's writer, a supporter); leave it None for
  duty actions (a moderator's decision, a counsellor's acceptance), which a block does not
  silence. With `anonymous=True` the actor is never stored nor consulted: an anonymous cause
  notifies the same whoever it was. `shield_held` merges into one notification per day whose
  `count` grows. Shield mode calls `notify(..., "shield_offer" | "shield_held" |
  "helper_invite", invite_id=...)` and appeals `notify(..., "appeal_decided", appeal_id=...,
  sanction_id=...)`. Returns whether she was notified.
- `notify_reply(session, post, thread, board)` — a published reply: every follower of the
  thread, and the author of the post it answers, in ONE `INSERT ... SELECT` statement.
- `notify_support(session, post, supporter_id)` — supports merge per post (`count` grows).
- `follow_on_write`, `set_following`: she follows her threads and those she replied to, unless
  she unfollowed (the unfollow is kept).

Safety rules, each applied where the notification is made and again where it is read:
nothing from someone she blocked or who blocked her (named causes only, `forum.policy`);
nothing from a muted, suspended or banned account; nothing for content held by moderation
until it is released (`change_post_status` records releases; `_notify_released` notifies
them before the commit); nothing in a board she muted; and a notification about a post that
is no longer published (removed, hidden by reports) is not shown. Live delivery: after the
commit, `forum.signals.notified` names the recipients, and the realtime layer pushes
`notification` to their open sockets outside their quiet hours.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
    union,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from forum import signals
from forum.db import rows_affected, utcnow
from forum.errors import Invalid
from forum.models.board import POSTS_RELEASED, Board, Post, PostStatus, Thread, Visibility
from forum.models.notification import (
    DEFAULT_TIMEZONE,
    BoardMute,
    Notification,
    NotificationKind,
    NotificationSettings,
    ThreadFollow,
)
from forum.models.room import Room
from forum.models.safety import Sanction, SanctionKind
from forum.models.user import Role, User
from forum.policy import (
    Actor,
    blocked_either_way_sql,
    can_read_board,
    hidden_authors_sql,
    named_author,
    not_hidden_by_block_sql,
    not_hidden_item_sql,
)
from forum.shapes import decode_cursor, encode_cursor, iso
from forum.standing import active_sanctions

#: Sanctions that silence an account's notifications to others.
SILENCING = frozenset({SanctionKind.MUTE, SanctionKind.SUSPEND, SanctionKind.BAN})
#: Read notifications older than this are deleted (`purge_read`).
RETENTION_DAYS = 30
#: Notification ids are random (below 2**53, safe in JavaScript), never a sequence: a gap
#: between two of her ids must not tell her how many others were notified in between (who
#: else follows a thread, whether the hidden author of an anonymous reply was among them).
ID_SPACE = 2**53 - 2


def new_id() -> int:
    """A fresh random notification id."""
    return secrets.randbelow(ID_SPACE) + 1


def _random_id_sql(dialect: str) -> Any:
    """`new_id()` computed by the database, one per inserted row."""
    if dialect == "postgresql":
        return literal_column(f"(floor(random() * {ID_SPACE}))::bigint + 1")
    return literal_column(f"(random() & {ID_SPACE}) + 1")


#: The references a notification may carry (API.md's fields, plus `invite_id`).
REFS = ("thread_id", "post_id", "room_id", "request_id", "report_id", "sanction_id",
        "appeal_id", "invite_id")
_TABLE = Notification.__table__


# --- rules shared by every path ------------------------------------------------------------


def _silenced(session: Session, user_id: int) -> bool:
    """Is the account muted, suspended or banned now (its doings notify no one)?"""
    return any(s.kind in SILENCING for s in active_sanctions(session, user_id))


def _board_muted(session: Session, user_id: int, board_id: int | None) -> bool:
    if board_id is None:
        return False
    return session.get(BoardMute, (user_id, board_id)) is not None


def _blocked(session: Session, a: int, b: int) -> bool:
    return bool(session.scalar(select(blocked_either_way_sql(a, b))))


def notify(
    session: Session,
    recipient_id: int | None,
    kind: str,
    *,
    actor_id: int | None = None,
    anonymous: bool = False,
    board_id: int | None = None,
    **refs: int | None,
) -> bool:
    """Tell one member something (see the module's docstring). True if she was told."""
    try:
        kind = NotificationKind(kind).value
    except ValueError:
        raise ValueError(f"unknown notification kind {kind!r}") from None
    unknown = set(refs) - set(REFS)
    if unknown:
        raise ValueError(f"unknown notification references {sorted(unknown)}")
    if recipient_id is None:
        return False
    named = named_author(actor_id, anonymous=anonymous)
    if anonymous and actor_id == recipient_id:
        return False  # her own anonymous doing: nothing to tell her
    if named is not None and (
        named == recipient_id or _blocked(session, recipient_id, named) or _silenced(session, named)
    ):
        return False
    if _board_muted(session, recipient_id, board_id):
        return False
    now = utcnow()
    if kind == NotificationKind.SHIELD_HELD and _merge(
        session, recipient_id, kind, Notification.created_at >= _day_start(now), now
    ):
        return True
    session.add(Notification(id=new_id(), recipient_id=recipient_id, kind=kind, actor_id=named,
                             is_anonymous=bool(anonymous), created_at=now,
                             **{k: v for k, v in refs.items() if v is not None}))
    session.flush()
    _announce(session, [recipient_id])
    return True


def _day_start(now: dt.datetime) -> dt.datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _merge(session: Session, recipient_id: int, kind: str, same: ColumnElement[bool],
           now: dt.datetime) -> bool:
    """Grow the count of her existing notification of this kind (`same` picks it), unread
    again; False when there is none to grow."""
    grown = session.execute(
        update(Notification)
        .where(Notification.recipient_id == recipient_id, Notification.kind == kind, same)
        .values(count=Notification.count + 1, read_at=None, created_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_affected(grown):
        _announce(session, [recipient_id])
        return True
    return False


def _announce(session: Session, user_ids: Iterable[int]) -> None:
    ids = frozenset(user_ids)
    if ids:
        signals.announce_after_commit(session, signals.notified, None, user_ids=ids)


# --- replies: one statement for every follower ---------------------------------------------


def _candidates(thread: Thread, parent_author: int | None) -> Any:
    """Who may hear of a reply: the thread's followers, its author unless she unfollowed
    it (threads from before follows existed), and the author of the post it answers."""
    parts: list[Any] = [
        select(ThreadFollow.user_id.label("uid")).where(
            ThreadFollow.thread_id == thread.id, ThreadFollow.is_following.is_(True))
    ]
    if thread.author_id is not None:
        parts.append(select(literal(thread.author_id).label("uid")).where(~exists().where(
            ThreadFollow.thread_id == thread.id, ThreadFollow.user_id == thread.author_id)))
    if parent_author is not None:
        parts.append(select(literal(parent_author).label("uid")))
    return union(*parts).subquery("candidates")


def notify_reply(session: Session, post: Post, thread: Thread, board: Board, *,
                 released: bool = False) -> list[int]:
    """A published reply: notify the thread's followers and the author of the post it
    answers, in one `INSERT ... SELECT` (part of the writer's transaction). `released`: the
    post comes back from a hold, and whoever was told of it before is not told again.
    Returns who was told."""
    if post.status != PostStatus.PUBLISHED or thread.status != PostStatus.PUBLISHED:
        return []
    parent_author = None
    if post.reply_to_id is not None:
        parent_author = session.scalar(select(Post.author_id).where(Post.id == post.reply_to_id))
    named = named_author(post.author_id, anonymous=post.is_anonymous)
    who = _candidates(thread, parent_author)
    uid = who.c.uid
    conditions: list[ColumnElement[bool]] = [
        ~exists().where(BoardMute.user_id == uid, BoardMute.board_id == board.id),
        not_hidden_item_sql("thread", literal(thread.id), signed_in=True, viewer=uid),
    ]
    if released:  # hidden by reports, then approved: told once
        conditions.append(~exists().where(
            Notification.post_id == post.id, Notification.recipient_id == uid,
            Notification.kind == NotificationKind.REPLY.value))
    if post.author_id is not None:
        conditions.append(uid != post.author_id)
    if named is not None:
        # The block rule, both ways (`policy.hidden_authors_sql`), read once for the writer.
        conditions.append(uid.not_in(hidden_authors_sql(named)))
    if board.visibility == Visibility.COUNSELLORS:
        # `policy.can_read_board`: a counsellors' board is read by counsellors and staff.
        conditions.append(exists().where(User.id == uid, User.role != Role.MEMBER.value))
    dialect = session.get_bind().dialect.name
    rows = select(
        _random_id_sql(dialect), uid,
        literal(NotificationKind.REPLY.value), literal(1),
        literal(named, type_=Notification.actor_id.type),
        literal(bool(post.is_anonymous)), literal(thread.id), literal(post.id),
        literal(utcnow(), type_=Notification.created_at.type),
    ).where(*conditions)
    statement = insert(_TABLE).from_select(
        ["id", "recipient_id", "kind", "count", "actor_id", "is_anonymous", "thread_id", "post_id",
         "created_at"], rows,
    ).returning(_TABLE.c.recipient_id)
    told = list(session.scalars(statement))
    _announce(session, told)
    return told


def notify_support(session: Session, post: Post, supporter_id: int) -> bool:
    """A support on her post: one notification per post whose `count` grows."""
    recipient = post.author_id
    if recipient is None or recipient == supporter_id or post.status != PostStatus.PUBLISHED:
        return False
    if _blocked(session, recipient, supporter_id) or _silenced(session, supporter_id):
        return False
    board_id = session.scalar(select(Thread.board_id).where(Thread.id == post.thread_id))
    if _board_muted(session, recipient, board_id):
        return False
    now = utcnow()
    if _merge(session, recipient, NotificationKind.SUPPORT.value,
              Notification.post_id == post.id, now):
        return True
    session.add(Notification(id=new_id(), recipient_id=recipient,
                             kind=NotificationKind.SUPPORT.value,
                             thread_id=post.thread_id, post_id=post.id, created_at=now))
    session.flush()
    _announce(session, [recipient])
    return True


def _notify_released(session: Session, post_ids: Iterable[int]) -> None:
    """Content released from a hold notifies now, as new (unless its writer is silenced)."""
    for post_id in sorted(post_ids):
        row = session.execute(
            select(Post, Thread, Board).join(Thread, Thread.id == Post.thread_id)
            .join(Board, Board.id == Thread.board_id).where(Post.id == post_id)
        ).first()
        if row is None:
            continue
        post, thread, board = row
        if post.is_opening or post.status != PostStatus.PUBLISHED:
            continue
        if post.author_id is not None and _silenced(session, post.author_id):
            continue
        notify_reply(session, post, thread, board, released=True)


# --- following -------------------------------------------------------------------------------


def _insert_ignoring(session: Session, values: dict[str, Any]) -> None:
    dialect = session.get_bind().dialect.name
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(maker(ThreadFollow).values(**values).on_conflict_do_nothing())


def follow_on_write(session: Session, user_id: int, thread_id: int) -> None:
    """She wrote in the thread: she follows it, unless she unfollowed it before."""
    _insert_ignoring(session, {"user_id": user_id, "thread_id": thread_id,
                               "is_following": True, "created_at": utcnow()})


def set_following(session: Session, actor: Actor, thread: Thread, following: bool) -> None:
    """`PUT` / `DELETE /threads/{id}/follow`: follow, or unfollow for good."""
    user = actor.require_user()
    row = session.get(ThreadFollow, (user.id, thread.id))
    if row is None:
        _insert_ignoring(session, {"user_id": user.id, "thread_id": thread.id,
                                   "is_following": following, "created_at": utcnow()})
        row = session.get(ThreadFollow, (user.id, thread.id))
    if row is not None:
        row.is_following = following
    session.flush()


# --- reading ---------------------------------------------------------------------------------


def _visible(recipient_id: int) -> list[ColumnElement[bool]]:
    """What hides a stored notification now: its post or thread no longer published, or a
    block (either way) with its named cause."""
    return [
        or_(Notification.post_id.is_(None), Post.status == PostStatus.PUBLISHED.value),
        or_(Notification.thread_id.is_(None), Thread.status == PostStatus.PUBLISHED.value),
        not_hidden_by_block_sql(Notification.actor_id, Notification.is_anonymous,
                                signed_in=True, on_duty=False, viewer=literal(recipient_id)),
    ]


def _joined(query: Any) -> Any:
    return (query.outerjoin(Post, Post.id == Notification.post_id)
            .outerjoin(Thread, Thread.id == Notification.thread_id))


def unread_count(session: Session, recipient_id: int) -> int:
    """Her unread notifications that are still shown."""
    query = _joined(select(func.count(Notification.id)).select_from(Notification)).where(
        Notification.recipient_id == recipient_id, Notification.read_at.is_(None),
        *_visible(recipient_id))
    return int(session.scalar(query) or 0)


def notification_json(n: Notification, room_slug: str | None,
                      sanction: Sanction | None = None) -> dict[str, Any]:
    """A notification as API.md shows it: the references it has, never a word of a post."""
    out: dict[str, Any] = {"id": n.id, "kind": n.kind, "created_at": iso(n.created_at),
                           "read_at": iso(n.read_at), "count": n.count}
    for name in REFS:
        value = getattr(n, name)
        if name == "room_id":
            if room_slug is not None:
                out["room"] = room_slug
        elif value is not None:
            out[name] = value
    if n.kind == NotificationKind.REPLY:
        out["anonymous"] = bool(n.is_anonymous)
    if sanction is not None and n.kind == NotificationKind.SANCTION:
        out["sanction"] = {"kind": sanction.kind, "reason": sanction.reason,
                           "ends_at": iso(sanction.ends_at)}
    return out


def list_notifications(
    session: Session, actor: Actor, *, unread: bool, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], int, str | None]:
    """A page of her notifications, newest first (keyset on time then id), with her unread
    count: two statements whatever she has stored."""
    user = actor.require_user()
    after = _cursor(cursor)
    query = _shown(user.id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    if after is not None:
        query = query.where(tuple_(Notification.created_at, Notification.id) < after)
    rows = session.execute(query.limit(limit + 1)).all()
    shown = [notification_json(n, slug, sanction) for n, slug, sanction in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = encode_cursor([iso(last.created_at), last.id])
    return shown, unread_count(session, user.id), next_cursor


def _cursor(cursor: str | None) -> tuple[dt.datetime, int] | None:
    values = decode_cursor(cursor, 2)
    if values is None:
        return None
    when, last_id = values
    try:
        if (not isinstance(when, str) or not isinstance(last_id, int)
                or isinstance(last_id, bool) or not 0 <= last_id < 2**63):
            raise ValueError
        moment = dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError
        moment = moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise Invalid({"cursor": ["This cursor is not valid."]}) from None
    return moment, last_id


def _shown(recipient_id: int) -> Any:
    """Her shown notifications, newest first, with the room's slug and the sanction."""
    return (
        _joined(select(Notification, Room.slug, Sanction).select_from(Notification)
                .outerjoin(Room, Room.id == Notification.room_id)
                .outerjoin(Sanction, Sanction.id == Notification.sanction_id))
        .where(Notification.recipient_id == recipient_id, *_visible(recipient_id))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def latest(session: Session, recipient_id: int) -> dict[str, Any] | None:
    """Her newest shown notification (what a live `notification` event carries)."""
    row = session.execute(_shown(recipient_id).limit(1)).first()
    return notification_json(*row) if row is not None else None


def mark_read(session: Session, actor: Actor, ids: list[int] | None) -> int:
    """Mark some (or all) of her notifications read; others' ids change nothing."""
    user = actor.require_user()
    query = update(Notification).where(Notification.recipient_id == user.id,
                                       Notification.read_at.is_(None))
    if ids is not None:
        if not ids:
            return 0
        query = query.where(Notification.id.in_(ids))
    done = session.execute(query.values(read_at=utcnow())
                           .execution_options(synchronize_session=False))
    return rows_affected(done)


# --- settings ----------------------------------------------------------------------------------

_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def _settings_row(session: Session, user_id: int) -> NotificationSettings | None:
    return session.get(NotificationSettings, user_id)


def settings_json(session: Session, user_id: int) -> dict[str, Any]:
    """`{quiet_hours: {start, end} | null, timezone, muted_boards: [slug]}`."""
    row = _settings_row(session, user_id)
    muted = list(session.scalars(
        select(Board.slug).join(BoardMute, BoardMute.board_id == Board.id)
        .where(BoardMute.user_id == user_id).order_by(Board.slug)))
    quiet = None
    if row is not None and row.quiet_start and row.quiet_end:
        quiet = {"start": row.quiet_start, "end": row.quiet_end}
    return {"quiet_hours": quiet, "timezone": row.timezone if row else DEFAULT_TIMEZONE,
            "muted_boards": muted}


def _checked_quiet(value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, dict) or set(value) != {"start", "end"}:
        raise Invalid({"quiet_hours": ['Send {"start": "22:00", "end": "07:00"}, or null.']})
    start, end = value["start"], value["end"]
    for name, text_ in (("start", start), ("end", end)):
        if not isinstance(text_, str) or not _HHMM.fullmatch(text_):
            raise Invalid({f"quiet_hours.{name}": ["A time of day as HH:MM, 00:00 to 23:59."]})
    return start, end


def _checked_timezone(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > 64 or ".." in value:
        raise Invalid({"timezone": ["An IANA time zone, such as Asia/Karachi."]})
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise Invalid({"timezone": ["An IANA time zone, such as Asia/Karachi."]}) from None
    return value


def _checked_boards(session: Session, actor: Actor, slugs: Any) -> list[int]:
    if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs):
        raise Invalid({"muted_boards": ["A list of board slugs."]})
    found = {b.slug: b for b in session.scalars(select(Board).where(Board.slug.in_(set(slugs))))}
    unknown = [s for s in slugs if s not in found
               or not can_read_board(actor, found[s].visibility)]
    if unknown:
        raise Invalid({"muted_boards": [f"No such board: {', '.join(sorted(set(unknown)))}."]})
    return sorted({found[s].id for s in slugs})


def update_settings(session: Session, actor: Actor, changes: dict[str, Any]) -> dict[str, Any]:
    """PATCH her settings: only the fields sent change; all are checked before any is
    written (no half-written settings)."""
    user = actor.require_user()
    row = _settings_row(session, user.id)
    quiet = _checked_quiet(changes.get("quiet_hours"))
    zone = _checked_timezone(changes["timezone"]) if "timezone" in changes else None
    boards = (_checked_boards(session, actor, changes["muted_boards"])
              if "muted_boards" in changes else None)
    if row is None:
        row = NotificationSettings(user_id=user.id, timezone=DEFAULT_TIMEZONE)
        session.add(row)
    if "quiet_hours" in changes:
        row.quiet_start, row.quiet_end = quiet
    if zone is not None:
        row.timezone = zone
    if boards is not None:
        session.execute(delete(BoardMute).where(BoardMute.user_id == user.id))
        now = utcnow()
        session.add_all(BoardMute(user_id=user.id, board_id=b, created_at=now) for b in boards)
    session.flush()
    return settings_json(session, user.id)


def in_quiet_hours(session: Session, user_id: int, now: dt.datetime | None = None) -> bool:
    """Is it her quiet time now, in her time zone? (Stored, not pushed live.)"""
    row = _settings_row(session, user_id)
    if row is None or not row.quiet_start or not row.quiet_end or row.quiet_start == row.quiet_end:
        return False
    try:
        zone = ZoneInfo(row.timezone or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_TIMEZONE)
    local = (now or utcnow()).astimezone(zone).strftime("%H:%M")
    if row.quiet_start < row.quiet_end:
        return row.quiet_start <= local < row.quiet_end
    return local >= row.quiet_start or local < row.quiet_end


# --- data rights and retention ------------------------------------------------------------------


def export_json(session: Session, user_id: int) -> dict[str, Any]:
    """Her notifications, follows and settings, for `GET /me/export`."""
    rows = session.execute(
        select(Notification, Room.slug).outerjoin(Room, Room.id == Notification.room_id)
        .where(Notification.recipient_id == user_id)
        .order_by(Notification.created_at, Notification.id)).all()
    follows = session.execute(
        select(ThreadFollow.thread_id, ThreadFollow.is_following)
        .where(ThreadFollow.user_id == user_id).order_by(ThreadFollow.thread_id)).all()
    return {
        "items": [notification_json(n, slug) for n, slug in rows],
        "follows": [{"thread_id": t, "following": bool(f)} for t, f in follows],
        "settings": settings_json(session, user_id),
    }


def erase(session: Session, user_id: int) -> None:
    """Erasure: hers go (the rows, not a flag); what she caused forgets her."""
    session.execute(delete(Notification).where(Notification.recipient_id == user_id))
    session.execute(update(Notification).where(Notification.actor_id == user_id)
                    .values(actor_id=None).execution_options(synchronize_session=False))
    session.execute(delete(ThreadFollow).where(ThreadFollow.user_id == user_id))
    session.execute(delete(BoardMute).where(BoardMute.user_id == user_id))
    session.execute(delete(NotificationSettings).where(NotificationSettings.user_id == user_id))


def purge_read(session: Session, now: dt.datetime | None = None,
               days: int = RETENTION_DAYS) -> int:
    """Delete notifications read more than `days` ago."""
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    done = session.execute(delete(Notification).where(
        Notification.read_at.is_not(None), Notification.read_at < cutoff))
    removed = rows_affected(done)
    # No foreign keys (see the model): what points at a deleted account, post or thread goes.
    for column, table_id in ((Notification.recipient_id, User.id),
                             (Notification.post_id, Post.id),
                             (Notification.thread_id, Thread.id)):
        orphans = session.execute(delete(Notification).where(
            column.is_not(None), ~exists().where(table_id == column)))
        removed += rows_affected(orphans)
    return removed


# --- what the other features tell us (signals) -------------------------------------------------


def _on_reports_resolved(_sender: Any, *, session: Session,
                         reports: Iterable[tuple[int, int | None, str]], **_: Any) -> None:
    for report_id, reporter_id, _outcome in reports:
        notify(session, reporter_id, NotificationKind.REPORT_OUTCOME, report_id=report_id)


def _on_sanction_issued(user_id: Any, *, session: Session, sanction_id: int, **_: Any) -> None:
    notify(session, int(user_id), NotificationKind.SANCTION, sanction_id=sanction_id)


def _on_appeal_decided(user_id: Any, *, session: Session, appeal_id: int, sanction_id: int,
                       **_: Any) -> None:
    notify(session, int(user_id), NotificationKind.APPEAL_DECIDED, appeal_id=appeal_id,
           sanction_id=sanction_id)


def _on_export(user_id: Any, *, session: Session, **_: Any) -> tuple[str, dict[str, Any]]:
    return "notifications", export_json(session, int(user_id))


def _on_erasing(user_id: Any, *, session: Session, **_: Any) -> None:
    erase(session, int(user_id))


def _released_before_commit(session: Session) -> None:
    released = session.info.pop(POSTS_RELEASED, None)
    if released:
        _notify_released(session, released)


def _forget_released(session: Session) -> None:
    session.info.pop(POSTS_RELEASED, None)


def _install() -> None:
    from sqlalchemy import event

    signals.reports_resolved.connect(_on_reports_resolved)
    signals.sanction_issued.connect(_on_sanction_issued)
    signals.appeal_decided.connect(_on_appeal_decided)
    signals.collect_export.connect(_on_export)
    signals.erasing_account.connect(_on_erasing)
    if not event.contains(Session, "before_commit", _released_before_commit):
        event.listen(Session, "before_commit", _released_before_commit)
        event.listen(Session, "after_rollback", _forget_released)


_install()
