"""Data rights: a complete export, real erasure, and control over one's sessions.

Erasure deletes rows; it never flags them. With `erase_posts` her words go too; without, they
stay under a "deleted member" placeholder with no link back to her. Plug-ins (moderation) hold
data of their own and take part through `forum.signals.collect_export` and `erasing_account`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from forum.db import rows_affected, utcnow
from forum.errors import Invalid, NotFound
from forum.identity import passwords
from forum.models.board import Board, Post, PostStatus, Reaction, Thread, change_post_status
from forum.models.idempotency import IdempotentAnswer
from forum.models.room import RoomMessage, RoomMute, SupportRequest
from forum.models.safety import AuditEntry, Block, HiddenItem, Sanction
from forum.models.user import AuthToken, RecoveryCode, User
from forum.shapes import iso
from forum.signals import account_signed_out, collect_export, erasing_account

ERASED_TITLE = "(removed by its author)"


def export_account(session: Session, user: User) -> dict[str, Any]:
    """Everything stored about `user`, as JSON-ready data (`GET /me/export`)."""
    posts = session.execute(
        select(Post, Thread.title, Board.slug)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Board, Board.id == Thread.board_id)
        .where(Post.author_id == user.id)
        .order_by(Post.id)
    ).all()
    threads = session.scalars(select(Thread).where(Thread.author_id == user.id).order_by(Thread.id))
    reactions = session.scalars(select(Reaction).where(Reaction.user_id == user.id)
                                  .order_by(Reaction.post_id, Reaction.kind))
    blocks = session.execute(
        select(Block, User.handle)
        .join(User, User.id == Block.blocked_id)
        .where(Block.blocker_id == user.id)
        .order_by(Block.blocked_id)
    ).all()
    hidden = session.scalars(
        select(HiddenItem).where(HiddenItem.user_id == user.id).order_by(HiddenItem.created_at)
    )
    sanctions = session.scalars(select(Sanction).where(Sanction.user_id == user.id)
                                  .order_by(Sanction.id))
    tokens = session.scalars(select(AuthToken).where(AuthToken.user_id == user.id)
                               .order_by(AuthToken.id))
    codes_left = session.scalar(
        select(func.count()).select_from(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )
    messages = session.scalars(
        select(RoomMessage).where(RoomMessage.author_id == user.id).order_by(RoomMessage.id)
    )
    support = session.scalars(select(SupportRequest).where(SupportRequest.member_id == user.id)
                                .order_by(SupportRequest.id))
    room_mutes = session.scalars(select(RoomMute).where(RoomMute.user_id == user.id)
                                   .order_by(RoomMute.room_id))
    kept_answers = session.scalars(
        select(IdempotentAnswer).where(IdempotentAnswer.user_id == user.id)
        .order_by(IdempotentAnswer.key)
    )
    export: dict[str, Any] = {
        "format": "saheli-export/1",
        "exported_at": iso(utcnow()),
        "account": {
            "id": user.id,
            "handle": user.handle,
            "role": user.role,
            "locale": user.locale,
            "created_at": iso(user.created_at),
            "totp_enrolled": user.totp_enrolled,
            "recovery_codes_left": codes_left,
            "network_fingerprint": user.network_fingerprint,
        },
        "threads": [
            {"id": t.id, "title": t.title, "anonymous": t.is_anonymous, "status": t.status,
             "created_at": iso(t.created_at)}
            for t in threads
        ],
        "posts": [
            {"id": p.id, "thread_id": p.thread_id, "thread_title": title, "board": slug,
             "body": p.body, "content_warning": p.content_warning, "anonymous": p.is_anonymous,
             "status": p.status, "created_at": iso(p.created_at), "edited_at": iso(p.edited_at),
             "reply_to": p.reply_to_id}
            for p, title, slug in posts
        ],
        "reactions": [
            {"post_id": r.post_id, "kind": r.kind, "created_at": iso(r.created_at)}
            for r in reactions
        ],
        "blocks": [
            {"user_id": b.blocked_id, "handle": handle, "created_at": iso(b.created_at)}
            for b, handle in blocks
        ],
        "hidden_items": [
            {"target_type": h.target_type, "target_id": h.target_id,
             "created_at": iso(h.created_at)}
            for h in hidden
        ],
        "sanctions": [
            {"id": s.id, "kind": s.kind, "reason": s.reason, "starts_at": iso(s.starts_at),
             "ends_at": iso(s.ends_at), "lifted_at": iso(s.lifted_at)}
            for s in sanctions
        ],
        "sessions": [token_json(t, None) for t in tokens],
        "room_messages": [
            {"id": m.id, "room_id": m.room_id, "body": m.body, "anonymous": m.is_anonymous,
             "status": m.status, "created_at": iso(m.created_at)}
            for m in messages
        ],
        "support_requests": [
            {"id": r.id, "topic": r.topic, "status": r.status, "created_at": iso(r.created_at)}
            for r in support
        ],
        "room_mutes": [{"room_id": m.room_id, "created_at": iso(m.created_at)}
                       for m in room_mutes],
        # Answers kept for 24 hours so a retried request creates nothing twice.
        "idempotency_keys": [
            {"key": a.key, "path": a.path, "status": a.status, "created_at": iso(a.created_at)}
            for a in kept_answers
        ],
    }
    for _receiver, section in collect_export.send(user.id, session=session):
        if section:
            name, data = section
            export[name] = data
    return export


def erase_account(session: Session, user: User, *, password: str, erase_posts: bool) -> None:
    """Delete the account for good (`DELETE /me`); the handle becomes free at once."""
    if not passwords.verify_password(user.password_hash, password or ""):
        raise Invalid({"password": ["That password is not right."]})
    user_id = user.id
    erasing_account.send(user_id, session=session, erase_posts=erase_posts)
    if erase_posts:
        _erase_words(session, user_id)
    else:
        session.execute(
            update(Post)
            .where(Post.author_id == user_id)
            .values(author_id=None, is_author_deleted=True)
        )
        session.execute(update(Thread).where(Thread.author_id == user_id).values(author_id=None))
        session.execute(
            update(RoomMessage).where(RoomMessage.author_id == user_id).values(author_id=None)
        )
    session.execute(update(AuditEntry).where(AuditEntry.actor_id == user_id).values(actor_id=None))
    session.execute(delete(AuthToken).where(AuthToken.user_id == user_id))
    session.delete(user)
    session.flush()
    account_signed_out.send(user_id)


def _erase_words(session: Session, user_id: int) -> None:
    """Delete her posts, threads and room messages. A thread she opened that others replied
    to keeps their replies; its title and her opening words are overwritten."""
    session.execute(delete(RoomMessage).where(RoomMessage.author_id == user_id))
    own_posts = session.scalars(select(Post).where(Post.author_id == user_id)).all()
    for post in own_posts:
        thread = session.get(Thread, post.thread_id)
        board = session.get(Board, thread.board_id) if thread else None
        if thread is None or board is None:
            continue
        if post.is_opening and _others_replied(session, thread.id, user_id):
            # The conversation stays for the others; her opening words and title go.
            if post.status == PostStatus.PUBLISHED:
                thread.post_count -= 1
            post.status = PostStatus.REMOVED.value
            post.body, post.body_html, post.author_id = "", "", None
            thread.title, thread.author_id = ERASED_TITLE, None
            continue
        change_post_status(post, thread, board, PostStatus.REMOVED.value)
        session.delete(post)
    session.flush()
    for thread in session.scalars(select(Thread).where(Thread.author_id == user_id)).all():
        remaining = session.scalar(
            select(func.count()).select_from(Post).where(Post.thread_id == thread.id)
        )
        if not remaining:
            session.delete(thread)


def _others_replied(session: Session, thread_id: int, user_id: int) -> bool:
    return bool(
        session.scalar(
            select(func.count()).select_from(Post).where(
                Post.thread_id == thread_id, Post.author_id.is_distinct_from(user_id)
            )
        )
    )


def token_json(token: AuthToken, current_id: int | None) -> dict[str, Any]:
    """A sign-in as the member sees it in her list of sessions."""
    return {
        "id": token.id,
        "kind": token.kind,
        "created_at": iso(token.created_at),
        "expires_at": iso(token.expires_at),
        "current": token.id == current_id,
    }


def list_sessions(session: Session, user: User, current_id: int | None) -> list[dict[str, Any]]:
    """Her active tokens and browser sessions, newest first."""
    rows = session.scalars(
        select(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.expires_at > utcnow())
        .order_by(AuthToken.id.desc())
    )
    return [token_json(t, current_id) for t in rows]


def revoke_session(session: Session, user: User, token_id: int) -> None:
    """Sign out one of her sessions (404 for anyone else's)."""
    result = session.execute(
        delete(AuthToken).where(AuthToken.id == token_id, AuthToken.user_id == user.id)
    )
    if not rows_affected(result):
        raise NotFound("No such session.")


def revoke_other_sessions(session: Session, user: User, keep_id: int | None) -> int:
    """"Sign out everywhere else"."""
    query = delete(AuthToken).where(AuthToken.user_id == user.id)
    if keep_id is not None:
        query = query.where(AuthToken.id != keep_id)
    result = session.execute(query)
    account_signed_out.send(user.id)
    return rows_affected(result)
