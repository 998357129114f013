"""Shield mode (issue #17; API.md, "Shield mode"): when a pile-on starts, she decides what
reaches her.

While her shield is on, a reply to her (in a thread she opened under her name, or to a post
she wrote under her name) from an account she chose to hold is written as a `pending` post —
to its writer exactly a moderation hold — and waits in her tray (`ShieldHold`) until she or a
helper releases it (published and notified as new) or rejects it (hidden from her for good;
moderators still see it). Supports from held accounts are kept but neither counted nor told.

The rules that keep anonymity (API.md, "Privacy guarantees"):
- every anonymous reply to her is held, whoever wrote it, and no hold rule is ever evaluated
  for an anonymous writer, so holding says nothing about who wrote it;
- a shield keys only on *named* content of hers (`policy.named_author`): a reply to her
  anonymous thread is not held, else holding would tie that thread to her;
- "accounts she interacted with" counts only her named doings (named replies, supports, and
  follows of threads where she wrote nothing anonymously), so whether someone is held cannot
  tell him which anonymous post was hers.

Cost: a reply pays ONE indexed look-up (`shields` by primary key, both possible owners at
once) when nobody it answers has a shield on; the offer (`maybe_offer`) adds, for a reply to
a named member whose shield is off, one prepared statement: whether she had the offer in the
window and, only if not, how many accounts are among her latest `OFFER_SCAN` replies
(`ix_posts_reply_to_author`); only when that reaches the threshold does a second one count
those she never interacted with.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, distinct, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from forum import signals
from forum.db import utcnow
from forum.errors import Conflict, Invalid, NotFound
from forum.models.board import Board, Post, PostStatus, Reaction, Thread, change_post_status
from forum.models.notification import Notification, NotificationKind, ThreadFollow
from forum.models.safety import Block
from forum.models.shield import (
    HelperStatus,
    HoldRule,
    HoldState,
    Shield,
    ShieldActivity,
    ShieldHelper,
    ShieldHold,
)
from forum.models.user import User
from forum.policy import Actor, Permission, blocked_either_way_sql, name_shown_sql
from forum.services.notifications import notify
from forum.services.reading import post_json
from forum.shapes import iso, user_json, user_row_json

DURATIONS = (7, 14, 28)
DEFAULT_DAYS = 7
#: `new_accounts`: younger than this, or fewer published named posts than `NEW_ACCOUNT_POSTS`.
NEW_ACCOUNT_AGE = dt.timedelta(days=30)
NEW_ACCOUNT_POSTS = 3
MAX_HELPERS = 3
#: One answer for a missing account and one whose name she was never shown.
NO_SUCH_HELPER = "No member you can invite has this name."
ALL_RULES = (HoldRule.NEW_ACCOUNTS.value, HoldRule.STRANGERS.value)


@dataclass(frozen=True, slots=True)
class OfferThreshold:
    """`shield_offer`: this many accounts she never interacted with reply to her within
    `minutes` (settings `FORUM_SHIELD_OFFER_REPLIERS`, `FORUM_SHIELD_OFFER_MINUTES`)."""

    repliers: int = 5
    minutes: int = 60


def offer_threshold() -> OfferThreshold:
    """The configured threshold (defaults outside an application)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return OfferThreshold()
    forum = current_app.config.get("FORUM", {})
    return OfferThreshold(int(forum.get("FORUM_SHIELD_OFFER_REPLIERS") or 5),
                          int(forum.get("FORUM_SHIELD_OFFER_MINUTES") or 60))


# --- the check on the writing path -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShieldCheck:
    """What the look-up found for one reply: whose tray holds it (None: nobody's), and who of
    the members it answers has a shield on."""

    owner_id: int | None
    shielded: frozenset[int]


def _active(session: Session, owner_ids: Iterable[int | None], now: dt.datetime) -> dict[int, Shield]:
    """THE look-up: the shields on among `owner_ids`, one statement by primary key."""
    ids = sorted({i for i in owner_ids if i is not None})
    if not ids:
        return {}
    rows = session.scalars(select(Shield).where(Shield.user_id.in_(ids), Shield.until > now))
    return {row.user_id: row for row in rows}


def _rules(shield: Shield) -> frozenset[str]:
    return frozenset(r for r in shield.hold.split(",") if r)


def interacted_sql(owner_id: Any, other: Any) -> Any:
    """She (`owner_id`) replied to, supported or followed `other` — named doings only (see
    the module's docstring); a SQL condition over `other` (an id or a column)."""
    mine, theirs, anon = aliased(Post), aliased(Post), aliased(Post)
    replied = exists().where(mine.author_id == owner_id, mine.is_anonymous.is_(False),
                             mine.reply_to_author_id == other)
    supported = exists().where(Reaction.user_id == owner_id, Reaction.post_id == theirs.id,
                               theirs.author_id == other, theirs.is_anonymous.is_(False))
    followed = exists().where(
        ThreadFollow.user_id == owner_id, ThreadFollow.is_following.is_(True),
        ThreadFollow.thread_id == Thread.id, Thread.author_id == other,
        Thread.is_anonymous.is_(False),
        ~exists().where(anon.thread_id == Thread.id, anon.author_id == owner_id,
                        anon.is_anonymous.is_(True)))
    return or_(replied, supported, followed)


def _is_helper(session: Session, owner_id: int, user_id: int) -> bool:
    return session.scalar(select(ShieldHelper.id).where(
        ShieldHelper.owner_id == owner_id, ShieldHelper.helper_id == user_id,
        ShieldHelper.status == HelperStatus.ACCEPTED.value)) is not None


def _holds_named(session: Session, shield: Shield, writer: User, now: dt.datetime) -> bool:
    """Does her shield hold this named writer? Never herself, staff or her helpers."""
    if writer.id == shield.user_id or writer.is_staff:
        return False
    if _is_helper(session, shield.user_id, writer.id):
        return False
    rules = _rules(shield)
    if HoldRule.NEW_ACCOUNTS in rules:
        if writer.created_at is None or writer.created_at > now - NEW_ACCOUNT_AGE:
            return True
        named_posts = select(Post.id).where(
            Post.author_id == writer.id, Post.is_anonymous.is_(False),
            Post.status == PostStatus.PUBLISHED.value).limit(NEW_ACCOUNT_POSTS).subquery()
        if (session.scalar(select(func.count()).select_from(named_posts)) or 0) < NEW_ACCOUNT_POSTS:
            return True
    if HoldRule.STRANGERS in rules:
        return not session.scalar(select(interacted_sql(shield.user_id, writer.id)))
    return False


def check_reply(session: Session, actor: Actor, *, anonymous: bool,
                answering: Sequence[int | None]) -> ShieldCheck:
    """Whose shield holds this reply. `answering`: the *named* authors it answers, the post
    replied to first, then the thread's author. Anonymous replies are held by any shield on
    among them, whoever wrote them."""
    now = utcnow()
    shields = _active(session, answering, now)
    owner = None
    for candidate in dict.fromkeys(a for a in answering if a is not None):
        shield = shields.get(candidate)
        if shield is None:
            continue
        if anonymous or _holds_named(session, shield, actor.require_user(), now):
            owner = candidate
            break
    return ShieldCheck(owner, frozenset(shields))


def hold(session: Session, check: ShieldCheck, post: Post, *, moderated: bool) -> None:
    """Put a reply in her tray; she hears only a count (`shield_held`, one a day)."""
    assert check.owner_id is not None
    session.add(ShieldHold(post_id=post.id, owner_id=check.owner_id, is_moderated=moderated,
                           state=HoldState.HELD.value, held_at=utcnow()))
    session.flush()
    notify(session, check.owner_id, NotificationKind.SHIELD_HELD)


def holds_support(session: Session, actor: Actor, post: Post) -> bool:
    """Is a support on this post held by its author's shield? Named posts only."""
    if post.is_anonymous or post.author_id is None:
        return False
    now = utcnow()
    shield = _active(session, [post.author_id], now).get(post.author_id)
    return shield is not None and _holds_named(session, shield, actor.require_user(), now)


# --- the offer ----------------------------------------------------------------------------------


#: The offer looks at her latest replies in the window only, so its cost is bounded however
#: large the pile-on (and it stops asking once she has had the offer in the window).
OFFER_SCAN = 50


def maybe_offer(session: Session, check: ShieldCheck, target_id: int | None, writer_id: int,
                now: dt.datetime | None = None) -> bool:
    """After a reply to `target_id` (named) whose shield is off: when enough accounts she never
    interacted with replied to her within the window (among her latest `OFFER_SCAN` replies),
    offer her the shield, once a window. Each anonymous reply counts as one such account,
    whoever wrote it."""
    if target_id is None or target_id == writer_id or target_id in check.shielded:
        return False
    now = now or utcnow()
    threshold = offer_threshold()
    params = {"target": target_id, "since": now - dt.timedelta(minutes=threshold.minutes)}
    # First every distinct replier, interacted with or not: an upper bound of the count, and
    # on an ordinary thread (a few repliers) the only statement a reply pays for the offer.
    for strangers_only in (False, True):
        found = session.scalar(_offer_count(strangers_only=strangers_only), params)
        if (found or 0) < threshold.repliers:
            return False
    return notify(session, target_id, NotificationKind.SHIELD_OFFER)


@functools.cache
def _offer_count(*, strangers_only: bool) -> Any:
    """How many accounts replied to her (`:target`) since `:since`, among her latest
    `OFFER_SCAN` replies (-1 once she had the offer in the window); with `strangers_only`,
    only those she never interacted with. Built once: a reply does not pay for building it."""
    target, since = bindparam("target"), bindparam("since")
    offered = exists().where(
        Notification.recipient_id == target,
        Notification.kind == NotificationKind.SHIELD_OFFER.value,
        Notification.created_at >= since)
    latest = (select(Post.author_id, Post.is_anonymous)
              .where(Post.reply_to_author_id == target, Post.created_at >= since,
                     or_(Post.author_id.is_(None), Post.author_id != target,
                         Post.is_anonymous.is_(True)))
              .order_by(Post.created_at.desc()).limit(OFFER_SCAN).subquery())
    named_only = [latest.c.is_anonymous.is_(False), latest.c.author_id.is_not(None)]
    if strangers_only:
        named_only.append(~interacted_sql(target, latest.c.author_id))
    named = (select(func.count(distinct(latest.c.author_id))).where(*named_only)
             .scalar_subquery())
    unnamed = (select(func.count()).select_from(latest).where(latest.c.is_anonymous.is_(True))
               .scalar_subquery())
    # One statement: the count is not made at all once she had the offer in the window.
    return select(case((offered, -1), else_=named + unnamed))


# --- her shield ------------------------------------------------------------------------------


def _checked_days(days: Any) -> int:
    if days is None:
        return DEFAULT_DAYS
    if isinstance(days, bool) or days not in DURATIONS:
        raise Invalid({"days": ["7, 14 or 28."]})
    return int(days)


def _checked_hold(hold: Any) -> str:
    if hold is None:
        return ",".join(ALL_RULES)
    if (not isinstance(hold, list) or not hold
            or not all(isinstance(h, str) and h in ALL_RULES for h in hold)):
        raise Invalid({"hold": ["A non-empty list of: new_accounts, strangers."]})
    return ",".join(r for r in ALL_RULES if r in hold)


def _recap(session: Session, shield: Shield, end: dt.datetime) -> None:
    counts = dict(session.execute(
        select(ShieldHold.state, func.count()).where(
            # Nothing is held once it is off, so what came since it started is this run's.
            ShieldHold.owner_id == shield.user_id, ShieldHold.held_at >= shield.started_at,
        ).group_by(ShieldHold.state)).all())
    shield.recap_held = sum(counts.values())
    shield.recap_released = counts.get(HoldState.RELEASED.value, 0)
    shield.recap_rejected = counts.get(HoldState.REJECTED.value, 0)
    shield.ended_at = end


def set_shield(session: Session, actor: Actor, *, on: bool, days: Any = None,
               hold: Any = None) -> dict[str, Any]:
    """`PUT /me/shield`: on for `days` (7, 14, 28) holding `hold`, or off now."""
    user = actor.require_user()
    if not isinstance(on, bool):
        raise Invalid({"on": ["true or false."]})
    now = utcnow()
    row = session.get(Shield, user.id)
    if on:
        length, rules = _checked_days(days), _checked_hold(hold)
        if row is None:
            row = Shield(user_id=user.id, started_at=now, until=now, hold=rules)
            session.add(row)
        elif row.until <= now:  # a new run
            row.started_at, row.ended_at = now, None
            row.recap_held = row.recap_released = row.recap_rejected = 0
        row.until, row.hold = now + dt.timedelta(days=length), rules
    elif row is not None and row.until > now:
        row.until = now
        _recap(session, row, now)
    session.flush()
    return shield_json(session, user.id, now)


def end_expired(session: Session, now: dt.datetime | None = None) -> int:
    """Shields whose time is up end by themselves: the recap is kept and she is told
    (`shield_ended`). `forum serve` runs it hourly; reading her shield runs it for her."""
    now = now or utcnow()
    ended = 0
    for row in session.scalars(select(Shield).where(Shield.until <= now,
                                                    Shield.ended_at.is_(None))):
        _recap(session, row, row.until)
        notify(session, row.user_id, NotificationKind.SHIELD_ENDED)
        ended += 1
    session.flush()
    return ended


def _end_mine(session: Session, user_id: int, now: dt.datetime) -> None:
    row = session.get(Shield, user_id)
    if row is not None and row.until <= now and row.ended_at is None:
        _recap(session, row, row.until)
        notify(session, user_id, NotificationKind.SHIELD_ENDED)
        session.flush()


def shield_json(session: Session, user_id: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """`{on, until, hold, held_count, helpers: [user], invites, recap}`."""
    now = now or utcnow()
    _end_mine(session, user_id, now)
    row = session.get(Shield, user_id)
    is_on = row is not None and row.until > now
    held = session.scalar(select(func.count()).select_from(ShieldHold)
                          .join(Post, Post.id == ShieldHold.post_id).where(
        ShieldHold.owner_id == user_id, ShieldHold.state == HoldState.HELD.value,
        Post.status == PostStatus.PENDING.value)) or 0  # as the tray counts (not erased)
    invites = _invites(session, ShieldHelper.owner_id == user_id)
    recap = None
    if row is not None and row.ended_at is not None:
        recap = {"held": row.recap_held, "released": row.recap_released,
                 "rejected": row.recap_rejected, "ended_at": iso(row.ended_at)}
    return {
        "on": is_on,
        "until": iso(row.until) if is_on and row is not None else None,
        "hold": sorted(_rules(row)) if row is not None else list(ALL_RULES),
        "held_count": int(held),
        "helpers": [i["helper"] for i in invites if i["status"] == HelperStatus.ACCEPTED],
        "invites": invites,
        "recap": recap,
    }


# --- the tray ------------------------------------------------------------------------------------


def _tray_owner(session: Session, actor: Actor, owner_id: int) -> int:
    """She, or one of her accepted helpers; anyone else: 404 (nothing about her shield)."""
    me = actor.require_user()
    if me.id == owner_id or _is_helper(session, owner_id, me.id):
        return owner_id
    raise NotFound("Nothing here.")


def held_items(session: Session, actor: Actor, owner_id: int) -> list[dict[str, Any]]:
    """Her held items, newest first: each post as the public would see it (an anonymous
    writer stays `null`, for her, her helpers and even a moderator looking at her tray)."""
    _tray_owner(session, actor, owner_id)
    rows = session.execute(
        select(ShieldHold, Post, Thread, User)
        .join(Post, Post.id == ShieldHold.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .outerjoin(User, User.id == Post.author_id)
        .where(ShieldHold.owner_id == owner_id, ShieldHold.state == HoldState.HELD.value,
               Post.status == PostStatus.PENDING.value)
        .order_by(ShieldHold.held_at.desc(), ShieldHold.post_id.desc())
        .limit(200)).all()
    items = []
    for held, post, thread, user in rows:
        shown = None
        if user is not None and not post.is_anonymous and not post.is_author_deleted:
            shown = user_row_json(user.id, user.handle, user.role)
        items.append({"post": post_json(post, shown), "held_at": iso(held.held_at),
                      "thread": {"id": thread.id, "title": thread.title}})
    return items


def _block_for(session: Session, owner_id: int, post: Post) -> bool:
    """Block a held item's writer for her: named writers only (a block naming the hidden
    author of anonymous content would tell her who wrote it), never staff."""
    if post.is_anonymous or post.author_id is None or post.author_id == owner_id:
        return False
    writer = session.get(User, post.author_id)
    if writer is None or writer.is_staff:
        return False
    if session.get(Block, (owner_id, writer.id)) is not None:
        return True
    try:
        with session.begin_nested():
            session.add(Block(blocker_id=owner_id, blocked_id=writer.id))
            session.flush()
    except IntegrityError:  # the same block made at the same moment
        pass
    return True


def decide(session: Session, actor: Actor, owner_id: int, post_id: int, action: str, *,
           block: bool = False) -> dict[str, Any]:
    """Release (published, notified as new) or reject (hidden from her for good) one held
    item, optionally blocking its named writer for her. A helper's action is listed to her."""
    _tray_owner(session, actor, owner_id)
    me = actor.require_user()
    held = session.get(ShieldHold, post_id)
    if held is None or held.owner_id != owner_id or held.state != HoldState.HELD:
        raise NotFound("No such held item.")
    row = session.execute(
        select(Post, Thread, Board).join(Thread, Thread.id == Post.thread_id)
        .join(Board, Board.id == Thread.board_id).where(Post.id == post_id)).first()
    if row is None:
        raise NotFound("No such held item.")
    post, thread, board = row
    now = utcnow()
    held.state = (HoldState.RELEASED if action == "release" else HoldState.REJECTED).value
    held.decided_at, held.decided_by = now, me.id
    if action == "release" and not held.is_moderated and post.status == PostStatus.PENDING:
        change_post_status(post, thread, board, PostStatus.PUBLISHED.value)
    blocked = bool(block) and _block_for(session, owner_id, post)
    if me.id != owner_id:
        session.add(ShieldActivity(owner_id=owner_id, helper_id=me.id, action=action,
                                   post_id=post.id, created_at=now))
        if blocked:
            session.add(ShieldActivity(owner_id=owner_id, helper_id=me.id, action="block",
                                       post_id=post.id, created_at=now))
    session.flush()
    return {"post_id": post.id, "state": held.state, "blocked": blocked}


def activity(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Her helpers' actions, newest first."""
    user = actor.require_user()
    rows = session.execute(
        select(ShieldActivity, User).outerjoin(User, User.id == ShieldActivity.helper_id)
        .where(ShieldActivity.owner_id == user.id)
        .order_by(ShieldActivity.id.desc()).limit(200)).all()
    return [{"helper": user_json(helper), "action": a.action, "post_id": a.post_id,
             "created_at": iso(a.created_at)} for a, helper in rows]


# --- helpers -----------------------------------------------------------------------------------


def _invite_json(invite: ShieldHelper, helper: User | None, owner: User | None = None
                 ) -> dict[str, Any]:
    out = {"id": invite.id, "helper": user_json(helper), "status": invite.status,
           "created_at": iso(invite.created_at)}
    if owner is not None:
        out["owner"] = user_json(owner)
    return out


def _invites(session: Session, where: Any) -> list[dict[str, Any]]:
    owner = aliased(User)
    rows = session.execute(
        select(ShieldHelper, User, owner).join(User, User.id == ShieldHelper.helper_id)
        .join(owner, owner.id == ShieldHelper.owner_id).where(where)
        .order_by(ShieldHelper.id)).all()
    return [_invite_json(i, helper, her) for i, helper, her in rows]


def invite_helper(session: Session, actor: Actor, user_id: int) -> dict[str, Any]:
    """Ask a member to help with her tray: only someone whose name she was shown (as for
    blocks and reports, so ids cannot be walked); at most three (a fourth: 409)."""
    me = actor.require_user()
    if user_id == me.id:
        raise Invalid({"user_id": ["You cannot be your own helper."]})
    helper = session.get(User, user_id)
    shown = actor.can(Permission.POST_MODERATE) or bool(
        session.scalar(select(name_shown_sql(me.id, user_id))))
    # A block either way keeps the two apart here too (and answers as a missing account).
    apart = bool(session.scalar(select(blocked_either_way_sql(me.id, user_id))))
    if helper is None or not shown or apart:
        raise NotFound(NO_SUCH_HELPER)
    existing = session.scalar(select(ShieldHelper).where(
        ShieldHelper.owner_id == me.id, ShieldHelper.helper_id == user_id))
    if existing is not None:
        return _invite_json(existing, helper)
    count = session.scalar(select(func.count()).select_from(ShieldHelper).where(
        ShieldHelper.owner_id == me.id)) or 0
    if count >= MAX_HELPERS:
        raise Conflict("At most 3 helpers.")  # MAX_HELPERS, spelled out for the catalogue
    invite = ShieldHelper(owner_id=me.id, helper_id=user_id, status=HelperStatus.INVITED.value,
                          created_at=utcnow())
    session.add(invite)
    session.flush()
    notify(session, user_id, NotificationKind.HELPER_INVITE, actor_id=me.id, invite_id=invite.id)
    return _invite_json(invite, helper)


def invite_helper_by_handle(session: Session, actor: Actor, handle: str) -> dict[str, Any]:
    """The page's invitation: by handle, answered exactly as `invite_helper` by id (an
    unknown handle and one she may not name give the same answer)."""
    from forum.identity.handles import handle_key

    try:
        key = handle_key(handle.strip())
    except Exception:  # noqa: BLE001 - any odd input simply matches nobody
        raise NotFound(NO_SUCH_HELPER) from None
    user_id = session.scalar(select(User.id).where(User.handle_key == key))
    if user_id is None:
        raise NotFound(NO_SUCH_HELPER)
    return invite_helper(session, actor, user_id)


def answer_invite(session: Session, actor: Actor, invite_id: int, *, accept: bool
                  ) -> dict[str, Any] | None:
    """The invited member accepts (she becomes a helper) or declines (the invite goes)."""
    me = actor.require_user()
    invite = session.get(ShieldHelper, invite_id)
    if invite is None or invite.helper_id != me.id:
        raise NotFound("No such invitation.")
    if not accept:
        session.delete(invite)
        session.flush()
        return None
    if invite.status != HelperStatus.ACCEPTED:
        invite.status, invite.accepted_at = HelperStatus.ACCEPTED.value, utcnow()
        session.flush()
    return _invite_json(invite, me, session.get(User, invite.owner_id))


def remove_helper(session: Session, actor: Actor, user_id: int) -> None:
    """She removes a helper (or withdraws an invite) at once; a helper may also step down
    (`user_id` is then the owner's)."""
    me = actor.require_user()
    session.execute(delete(ShieldHelper).where(or_(
        and_(ShieldHelper.owner_id == me.id, ShieldHelper.helper_id == user_id),
        and_(ShieldHelper.owner_id == user_id, ShieldHelper.helper_id == me.id))))


def helping(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The invitations she received and the trays she helps with."""
    me = actor.require_user()
    return _invites(session, ShieldHelper.helper_id == me.id)


# --- data rights -------------------------------------------------------------------------------


def export_json(session: Session, user_id: int) -> dict[str, Any]:
    """Her shield, its holds and her helpers' actions, for `GET /me/export`."""
    row = session.get(Shield, user_id)
    holds = session.execute(select(ShieldHold).where(ShieldHold.owner_id == user_id)
                            .order_by(ShieldHold.held_at)).scalars()
    return {
        "shield": None if row is None else {
            "until": iso(row.until), "hold": sorted(_rules(row)),
            "started_at": iso(row.started_at), "ended_at": iso(row.ended_at)},
        "held": [{"post_id": h.post_id, "state": h.state, "held_at": iso(h.held_at),
                  "decided_at": iso(h.decided_at)} for h in holds],
        "helpers": _invites(session, or_(ShieldHelper.owner_id == user_id,
                                         ShieldHelper.helper_id == user_id)),
        "activity": [{"action": a.action, "post_id": a.post_id, "created_at": iso(a.created_at)}
                     for a in session.scalars(select(ShieldActivity).where(
                         ShieldActivity.owner_id == user_id).order_by(ShieldActivity.id))],
    }


def erase(session: Session, user_id: int) -> None:
    """Erasure: her shield and her trays go; what she did as a helper forgets her."""
    session.execute(delete(ShieldHold).where(ShieldHold.owner_id == user_id))
    session.execute(delete(ShieldActivity).where(ShieldActivity.owner_id == user_id))
    session.execute(delete(ShieldHelper).where(or_(ShieldHelper.owner_id == user_id,
                                                   ShieldHelper.helper_id == user_id)))
    session.execute(delete(Shield).where(Shield.user_id == user_id))


def _on_export(user_id: Any, *, session: Session, **_: Any) -> tuple[str, dict[str, Any]]:
    return "shield", export_json(session, int(user_id))


def _on_erasing(user_id: Any, *, session: Session, **_: Any) -> None:
    erase(session, int(user_id))


signals.collect_export.connect(_on_export)
signals.erasing_account.connect(_on_erasing)
