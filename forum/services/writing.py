"""The writing gate: the one path every text a member writes takes — a thread, a reply, an
edit, a room message — whatever door it came through (page, API, socket).

In order: her standing (a mute, suspension or ban), the body's own rules, the block rule
against the content she answers (`policy.refused_by_block`), whatever the caller must still
check before the text is judged (a room's rate limit and slow mode), the screener (`block`
refuses with its reasons, `hold` keeps it pending), then rendering (the screener's censored
text when it masks words). Posting and rooms each add only what belongs to their place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from forum.errors import Blocked, ContentBlocked, Invalid
from forum.models.user import User
from forum.policy import Actor, block_applies, refused_by_block
from forum.rendering import render_markdown
from forum.screening import Screener, Screening, Submission
from forum.services.blocks import has_blocked
from forum.standing import assert_kinds_allow_writing, assert_may_write


@dataclass(frozen=True, slots=True)
class Answering:
    """Content the text answers: its author and whether it is anonymous (the block rule acts
    on named content only), with the refusal to give when a block stands."""

    author_id: int | None
    anonymous: bool
    refusal: str


@dataclass(frozen=True, slots=True)
class Written:
    """A text through the gate: what she wrote (checked), what is shown, and the screener's
    answer (for the `moderation` field and for `record` once the content has an id)."""

    text: str
    heading: str | None
    html: str
    screening: Screening
    submission: Submission


#: `sanctions=STANDING_CHECKED`: the caller asked `assert_may_write` already (before telling
#: her anything about the place), or she acts on duty (a moderator editing another's words).
STANDING_CHECKED: Collection[str] = frozenset({"checked"})


def checked_body(value: object, *, limit: int, field: str = "body") -> str:
    """The one rule for a body: a string, CR LF as LF, no NUL, not blank, at most `limit`."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid({field: ["Send the text as a string."]})
    text = value.replace("\r\n", "\n").replace("\x00", "")
    if not text.strip():
        raise Invalid({field: ["Write something first."]})
    if len(text) > limit:
        raise Invalid({field: [f"At most {limit} characters."]})
    return text


def _assert_standing(session: Session, user: User, sanctions: Collection[str] | None) -> None:
    if sanctions is STANDING_CHECKED:
        return
    if sanctions is None:
        assert_may_write(session, user)
    else:
        assert_kinds_allow_writing(sanctions)


def assert_not_refused(session: Session, actor: Actor, answering: Sequence[Answering]) -> None:
    """403 `blocked` when the author of named content she answers (or reacts to) blocked her."""
    for target in answering:
        # The relation is read only where the rule can act (named content, no duty), so
        # answering anonymous content costs the same whoever wrote it.
        if block_applies(actor, anonymous=target.anonymous) and refused_by_block(
            actor, anonymous=target.anonymous,
            author_blocked_actor=has_blocked(session, target.author_id, actor.id),
        ):
            raise Blocked(target.refusal)


def write(
    session: Session,
    actor: Actor,
    screener: Screener,
    *,
    kind: str,
    body: object,
    limit: int,
    place: str | None,
    heading: str | None = None,
    answering: Sequence[Answering] = (),
    reply_target_user_id: int | None = None,
    sanctions: Collection[str] | None = None,
    before_screening: Callable[[], None] | None = None,
    chat: bool = False,
) -> Written:
    """Take a text through the gate (see the module's docstring) or raise the refusal.

    `heading` (a thread's title) goes to the screener with the body (`Submission.heading`:
    each part is judged on its own) and comes back censored as the body does
    (`Written.heading`). `sanctions`:
    the kinds in force when the caller read them already, or `STANDING_CHECKED`. `chat`: a room
    line, rendered through the plain-text shortcut when it has no markup."""
    user = actor.require_user()
    _assert_standing(session, user, sanctions)
    text = checked_body(body, limit=limit)
    assert_not_refused(session, actor, answering)
    if before_screening is not None:
        before_screening()
    screened_text = text if heading is None else f"{heading}\n{text}"
    submission = Submission(author=user, text=screened_text, kind=kind,
                            reply_target_user_id=reply_target_user_id, place=place,
                            heading=heading)
    screening = screener.screen(session, submission)
    if screening.status == "blocked":
        raise ContentBlocked(list(screening.reasons))
    shown_heading, shown = heading, screening.censored_text
    if heading is not None:
        # The censored text of `heading + "\n" + body` splits back where the two met.
        if shown is not None and len(shown) == len(screened_text):
            shown_heading, shown = shown[: len(heading)], shown[len(heading) + 1:]
        else:
            shown = None
    source = shown or text
    html = render_chat_line(source) if chat else render_markdown(source)
    return Written(text=text, heading=shown_heading, html=html, screening=screening,
                   submission=submission)


#: Text Markdown leaves as it is: one line of letters and digits (any script), spaces and
#: `, ? ! '`, and full stops before a space or at the end; starting with a letter (`1. x` is a
#: list), ending without a space. No markup character, nothing HTML escapes, nothing a link
#: could be made of (no `.` inside a word, no `:`, `/` or `@`).
PLAIN_LINE = re.compile(r"[^\W\d_](?:[^\W_]|[ ,?!']|\.(?= |$))*(?<! )")


def render_chat_line(text: str) -> str:
    """`render_markdown(text)`, without parsing when the text is plain (`PLAIN_LINE`): most
    chat lines are, and the Markdown parser and sanitiser are the dearest step of a room
    message. tests/forum/rooms/test_render_fast_path.py holds the two equal."""
    if PLAIN_LINE.fullmatch(text):
        return f"<p>{text}</p>"
    return render_markdown(text)
