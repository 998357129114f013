"""What every page shares: the blueprint, the unit of work, form errors in the reader's
language, safe redirects, and readable error pages (never a stack trace).

Pages are translators like the API: parse the form, load or 404, call the same service the API
calls, commit once, then redirect (Post/Redirect/Get) or re-render the form with its errors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from forum import db
from forum.errors import ContentBlocked, DomainError, Invalid, TotpRequired
from forum.http.sessions import csrf, current_actor
from forum.policy import Permission
from forum.web.messages import translate

bp = Blueprint("web", __name__)

#: The neutral tab title offered to members who share a phone.
NEUTRAL_TITLE_COOKIE = "neutral_title"


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after a form (no open redirects)."""
    if not target or not target.isprintable():
        return url_for("web.home")  # control characters (CR/LF split the Location header)
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("web.home")
    if "\\" in target:
        return url_for("web.home")
    return target


def check_csrf() -> None:
    """Every page form carries the CSRF token; a POST without it is refused (400)."""
    csrf.protect()


def commit() -> None:
    """End the request's unit of work (services only flush)."""
    db.session().commit()


def rollback() -> None:
    """Undo what a failed service call flushed, before the form is shown again."""
    db.session().rollback()


def form_errors(error: DomainError) -> tuple[dict[str, list[str]], str]:
    """Field messages and one general message for a failed form, in the page's language."""
    fields: dict[str, list[str]] = {}
    if isinstance(error, Invalid):
        for name, messages in error.errors.items():
            fields[name] = [translate(m) for m in messages]
        return fields, gettext("Please correct the marked fields.")
    if isinstance(error, ContentBlocked):
        reasons = ", ".join(reason_label(r) for r in error.reasons)
        message = gettext("This text cannot be posted here.")
        return fields, f"{message} {reasons}".strip()
    return fields, translate(error.detail)


def reason_label(code: str) -> str:
    """A moderation reason code (`personal_info:phone`) in words the author understands."""
    kind = code.split(":", 1)[0]
    labels = {
        "personal_info": gettext(
            "It seems to contain personal details (a phone number, CNIC, e-mail or address). "
            "For your safety, please remove them."
        ),
        "rule": gettext("It contains words this forum does not allow."),
        "link": gettext("New accounts cannot post links yet."),
        "flood": gettext("The same text was sent too often."),
        "crisis": gettext("You are not alone. Help lines are listed on the help page."),
    }
    return labels.get(kind, "")


def page(template: str, code: int = 200, **context: Any) -> Response:
    """Render a page with HTTP status `code`; personal pages are never cached."""
    response = make_response(render_template(template, **context), code)
    if current_actor().is_authenticated or request.method == "POST":
        response.headers["Cache-Control"] = "private, no-store"
    return response


def signed_in_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send visitors who are not signed in to the sign-in page, then back."""
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not current_actor().is_authenticated:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return guarded


@bp.after_request
def _redirect_for_script(response: Response) -> Response:
    """A form sent by `static/js/quick-exit.js` (header `X-Saheli-Navigate`) gets its redirect
    as 204 with `X-Saheli-Location`: the script then replaces the page with it (no new history
    entry, the #fragment kept, and the next page loaded once, not twice)."""
    if request.headers.get("X-Saheli-Navigate") == "replace" and response.status_code in (
            301, 302, 303, 307, 308) and response.location:
        location = response.location
        response.status_code = 204  # in place: the cookies it sets (language, sign-in) stay
        response.set_data(b"")
        del response.headers["Location"]
        response.headers["X-Saheli-Location"] = safe_next(location)
        response.headers["Cache-Control"] = "no-store"
    return response


def page_context() -> dict[str, Any]:
    """Variables every template sees: who is asking, the quick-exit target, the tab title."""
    neutral = request.cookies.get(NEUTRAL_TITLE_COOKIE) == "1"
    actor = current_actor()
    views = current_app.view_functions
    return {
        "actor": actor,
        # Before her second factor a moderator sees the link too: it explains the step.
        "can_moderate": actor.has_role_grant(Permission.QUEUE_REVIEW),
        "rooms_enabled": "web.rooms_list" in views,
        "moderation_enabled": "web.moderation_queue" in views,
        "report_enabled": "web.report" in views,
        "quick_exit_url": current_app.config["FORUM"]["FORUM_QUICK_EXIT_URL"],
        "neutral_title": neutral,
        "tab_title": gettext("Notes") if neutral else "Saheli",
        "here": request.full_path.rstrip("?") if request else "/",
    }


def page_error(error: Exception) -> Any:
    """Readable error pages in the reader's language: never a stack trace."""
    try:
        db.session().rollback()
    except Exception:  # noqa: BLE001 - a broken database must still get a readable page
        current_app.logger.warning("rollback failed while rendering an error page")
    if isinstance(error, CSRFError):
        status = 400
        message = gettext(
            "This form has expired or was sent from somewhere else. Go back, reload the page "
            "and try again."
        )
    elif isinstance(error, TotpRequired):  # a new staff member: the way in, not a refusal
        return page("web/staff_setup.html", 403)
    elif isinstance(error, DomainError):
        status = error.status
        message = form_errors(error)[1] if isinstance(error, Invalid) else translate(error.detail)
        if isinstance(error, Invalid):
            message = "; ".join(m for ms in form_errors(error)[0].values() for m in ms) or message
    elif isinstance(error, HTTPException):
        status = error.code or 500
        message = {
            404: gettext("This page does not exist, or you cannot see it."),
            405: gettext("This address does not take that kind of request."),
            413: gettext("What you sent is too large."),
            429: gettext("Too many tries. Please wait a little, then try again."),
        }.get(status, gettext("That did not work. Please try again."))
    else:
        current_app.logger.exception("page failed")
        status, message = 500, gettext("Something went wrong on our side. Please try again.")
    return page("errors/error.html", status, status=status, message=message)
