"""Server-rendered pages: translators only, like the API, with readable error pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException

from forum import db
from forum.errors import DomainError, Invalid
from forum.services import accounts, boards
from forum.sessions import (
    csrf,
    current_actor,
    end_browser_session,
    session_lifetime,
    start_browser_session,
)

bp = Blueprint("web", __name__)


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirects)."""
    if not target:
        return url_for("web.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("web.home")
    if "\\" in target:
        return url_for("web.home")
    return target


@bp.app_context_processor
def _page_context() -> dict[str, Any]:
    return {
        "actor": current_actor(),
        "quick_exit_url": current_app.config["FORUM"]["FORUM_QUICK_EXIT_URL"],
    }


@bp.get("/")
def home() -> Any:
    actor = current_actor()
    return render_template("web/home.html", boards=boards.list_boards(db.session(), actor))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    if request.method == "POST":
        csrf.protect()
        try:
            done = accounts.login(
                db.session(),
                handle=request.form.get("handle", ""),
                password=request.form.get("password", ""),
                totp=request.form.get("totp") or None,
                lifetime=session_lifetime(),
                kind="session",
            )
            db.session().commit()
            start_browser_session(done.user, done.token)
            return redirect(safe_next(request.args.get("next")))
        except DomainError as exc:
            db.session().rollback()
            error = exc.detail
    return render_template("web/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout() -> Any:
    csrf.protect()
    current_actor()
    token_id = g.get("auth_token_id")
    if token_id is not None:
        accounts.revoke_token(db.session(), token_id)
        db.session().commit()
    end_browser_session()
    flash("You are signed out.")
    return redirect(url_for("web.home"))


def page_error(error: Exception) -> Any:
    """Readable error pages: never a stack trace."""
    if isinstance(error, Invalid):
        status, message = 422, "; ".join(m for ms in error.errors.values() for m in ms)
    elif isinstance(error, DomainError):
        status, message = error.status, error.detail
    elif isinstance(error, HTTPException):
        status, message = error.code or 500, error.description or error.name
    else:
        current_app.logger.exception("page failed")
        status, message = 500, "Something went wrong on our side. Please try again."
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.extensions["forum.page_errors"] = page_error
