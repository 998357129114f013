"""Blocks from the pages: "Block this member" next to a post, and on the account page the
list of members she blocked, each with an "Unblock" button. Both go through
`moderation.services.blocks`, the same service as the JSON API.

Imported by `moderation.install`, so the core pages never import moderation: the thread page
shows the block button only when `web.block_member` exists, and the account page shows the
list through `blocked_members`, which this module offers to every template.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext

from forum import db
from forum.errors import DomainError
from forum.http.sessions import current_actor
from forum.web.core import (
    bp,
    check_csrf,
    commit,
    form_errors,
    rollback,
    safe_next,
    signed_in_page,
)
from moderation.services import blocks


def _blocked_members() -> list[dict[str, Any]]:
    """Whom the signed-in member blocked, newest first (nobody for a visitor)."""
    actor = current_actor()
    if not actor.is_authenticated:
        return []
    return blocks.list_blocks(db.session(), actor)


@bp.app_context_processor
def blocks_context() -> dict[str, Any]:
    """Templates call `blocked_members()` only where the list is shown (the account page)."""
    return {"blocked_members": _blocked_members}


@bp.post("/users/<id:user_id>/block")
@signed_in_page
def block_member(user_id: int) -> Any:
    """Block a member: silent, and the same answer whether or not she was blocked already."""
    check_csrf()
    try:
        blocks.block_user(db.session(), current_actor(), user_id)
        commit()
    except DomainError as exc:
        rollback()
        flash(form_errors(exc)[1], "error")
        return redirect(safe_next(request.form.get("next")))
    flash(gettext("Blocked. You will not see this member's posts, and she cannot reply to "
                  "you. She is not told. You can unblock her on your account page."))
    return redirect(safe_next(request.form.get("next")))


@bp.post("/account/blocks/<id:user_id>/unblock")
@signed_in_page
def unblock_member(user_id: int) -> Any:
    """Lift a block, then back to the account page."""
    check_csrf()
    blocks.unblock_user(db.session(), current_actor(), user_id)
    commit()
    flash(gettext("Unblocked."))
    return redirect(url_for("web.account") + "#blocks")
