"""Account pages: register (and the one showing of the recovery codes), sign in and out,
recovery, and the account page with language, tab title, second factor and data rights.

Each form calls the same `forum.services` function as the JSON API and then redirects.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Response, flash, g, make_response, redirect, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from forum import db
from forum.errors import DomainError
from forum.http.i18n import LANG_COOKIE, LANG_COOKIE_AGE, normalise
from forum.http.limits import limited
from forum.http.sessions import (
    current_actor,
    end_browser_session,
    forget_new_codes,
    keep_new_codes,
    new_codes_of_this_session,
    request_network_fingerprint,
    session_lifetime,
    start_browser_session,
)
from forum.services import accounts, privacy
from forum.standing import active_sanctions
from forum.web.core import (
    NEUTRAL_TITLE_COOKIE,
    bp,
    check_csrf,
    commit,
    form_errors,
    page,
    rollback,
    safe_next,
    signed_in_page,
)

# Freshly issued recovery codes wait on the server-side session row, sealed with the session's
# secret (`forum.http.sessions.keep_new_codes`), until she confirms she saved them; the pending
# second-factor secret waits on her account row. Nothing secret travels in the cookie, which
# Flask signs but does not encrypt (issue #12).


@bp.get("/register")
def register() -> Any:
    """The registration form."""
    return page("web/register.html", form={}, errors={})


@bp.post("/register")
@limited("register")
def register_post() -> Any:
    """Create the account, sign her in, then show the recovery codes once."""
    check_csrf()
    form = {"handle": request.form.get("handle", "")}
    password = request.form.get("password", "")
    if password != request.form.get("password_again", ""):
        errors = {"password_again": [gettext("The two passwords are not the same.")]}
        return page("web/register.html", 422, form=form, errors=errors,
                    error=gettext("Please correct the marked fields."))
    try:
        done = accounts.register(
            db.session(),
            handle=form["handle"],
            password=password,
            lifetime=session_lifetime(),
            network_fingerprint=request_network_fingerprint(),
            kind="session",
        )
        keep_new_codes(done.token_id, done.token, done.recovery_codes)
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        if not errors:
            errors = {"handle": [message]}
        return page("web/register.html", exc.status, form=form, errors=errors, error=message)
    start_browser_session(done.user, done.token)
    return redirect(url_for("web.recovery_codes"))


@bp.get("/account/recovery-codes")
@signed_in_page
def recovery_codes() -> Any:
    """The new recovery codes, until she ticks "I saved them"."""
    codes = new_codes_of_this_session()
    if not codes:
        return redirect(url_for("web.account"))
    return page("web/recovery_codes.html", codes=codes, error=None)


@bp.post("/account/recovery-codes")
@signed_in_page
def recovery_codes_saved() -> Any:
    """She confirms the codes are saved: they are forgotten here for good."""
    check_csrf()
    codes = new_codes_of_this_session()
    if codes and request.form.get("saved") != "yes":
        return page("web/recovery_codes.html", 422, codes=codes,
                    error=gettext("Tick the box once the codes are saved somewhere safe."))
    forget_new_codes()
    commit()
    flash(gettext("Welcome. Your recovery codes are put away."))
    return redirect(url_for("web.home"))


@bp.post("/account/recovery-codes/new")
@signed_in_page
def recovery_codes_new() -> Any:
    """Replace every recovery code (the old ones stop working), after the password."""
    check_csrf()
    user = current_actor().require_user()
    try:
        codes = accounts.regenerate_recovery_codes(
            db.session(), user, password=request.form.get("password", ""))
    except DomainError as exc:
        rollback()
        return account_page(exc.status, error=form_errors(exc)[1],
                            errors={"codes_password": [form_errors(exc)[1]]})
    secret = getattr(user, "_session_secret", None)
    if g.get("auth_kind") != "session" or not secret:
        commit()  # a page asked with a bearer token: shown in this answer, kept nowhere
        return page("web/recovery_codes.html", codes=list(codes), error=None)
    keep_new_codes(g.auth_token_id, secret, codes)
    commit()
    return redirect(url_for("web.recovery_codes"))


@bp.get("/login")
def login() -> Any:
    """The sign-in form."""
    return page("web/login.html", form={}, error=None, sanction=None)


@bp.post("/login")
@limited("login")
def login_post() -> Any:
    """Sign in with a server-side browser session."""
    check_csrf()
    form = {"handle": request.form.get("handle", "")}
    try:
        done = accounts.login(
            db.session(),
            handle=form["handle"],
            password=request.form.get("password", ""),
            totp=request.form.get("totp") or None,
            lifetime=session_lifetime(),
            kind="session",
            network_fingerprint=request_network_fingerprint(),
        )
        commit()
    except DomainError as exc:
        rollback()
        # A suspension or ban says why, until when, and until when she may appeal it.
        return page("web/login.html", exc.status, form=form, error=form_errors(exc)[1],
                    sanction=exc.extra.get("sanction"))
    start_browser_session(done.user, done.token)
    return redirect(safe_next(request.args.get("next")))


@bp.post("/logout")
def logout() -> Any:
    """Sign this browser out: its session row is deleted, so the cookie is worthless."""
    check_csrf()
    current_actor()
    token_id = g.get("auth_token_id")
    if token_id is not None:
        accounts.revoke_token(db.session(), token_id)
        commit()
    end_browser_session()
    flash(gettext("You are signed out."))
    return redirect(url_for("web.home"))


@bp.get("/recover")
def recover() -> Any:
    """The recovery form: handle, one recovery code, a new password."""
    return page("web/recover.html", form={}, errors={}, error=None)


@bp.post("/recover")
@limited("recover")
def recover_post() -> Any:
    """Spend a recovery code, set the new password, sign in here (everywhere else out)."""
    check_csrf()
    form = {"handle": request.form.get("handle", "")}
    try:
        done = accounts.recover(
            db.session(),
            handle=form["handle"],
            recovery_code=request.form.get("recovery_code", "").strip(),
            new_password=request.form.get("new_password", ""),
            totp=request.form.get("totp") or None,
            lifetime=session_lifetime(),
            kind="session",
        )
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        return page("web/recover.html", exc.status, form=form, errors=errors, error=message)
    start_browser_session(done.user, done.token)
    flash(gettext("Your new password is set. Other devices were signed out."))
    return redirect(url_for("web.account"))


@bp.get("/account")
@signed_in_page
def account() -> Any:
    """Settings and data rights in one place."""
    return account_page()


def account_page(status: int = 200, **extra: Any) -> Any:
    """The account page, with what failed on it (`error`, field `errors`) if anything."""
    user = current_actor().require_user()
    dbs = db.session()
    pending = accounts.pending_totp(user)
    context: dict[str, Any] = {"errors": {}, "error": None, **extra}
    return page(
        "web/account.html",
        status,
        user=user,
        sanctions=active_sanctions(dbs, user.id),
        sessions=privacy.list_sessions(dbs, user, g.get("auth_token_id")),
        totp=totp_enrolment(*pending) if pending else None,
        **context,
    )


def totp_enrolment(secret: str, uri: str) -> dict[str, Any]:
    """What the enrolment step shows: a QR code of the `otpauth://` address (inline SVG, no
    request, nothing for the CSP to refuse) beside the key in groups of four to type."""
    import segno  # only when a staff member enrols

    qr = segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff")
    groups = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return {"secret": secret, "uri": uri, "groups": groups, "qr": Markup(qr)}


@bp.get("/account/password")
@signed_in_page
def password() -> Any:
    """The form to change her password."""
    return page("web/password.html", errors={}, error=None)


@bp.post("/account/password")
@signed_in_page
@limited("password")
def password_post() -> Any:
    """Change the password after the current one; every other device is signed out."""
    check_csrf()
    user = current_actor().require_user()
    new = request.form.get("new_password", "")
    if new != request.form.get("new_password_again", ""):
        errors = {"new_password_again": [gettext("The two passwords are not the same.")]}
        return page("web/password.html", 422, errors=errors,
                    error=gettext("Please correct the marked fields."))
    try:
        accounts.change_password(db.session(), user, current=request.form.get("password"),
                                 new=new, keep_token_id=g.get("auth_token_id"))
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        if not errors:
            errors = {"password": [message]}
        return page("web/password.html", exc.status, errors=errors, error=message)
    flash(gettext("Your new password is set. Other devices were signed out."))
    return redirect(url_for("web.account"))


@bp.post("/language")
def language() -> Any:
    """The switcher on every page: a cookie for everyone, the account's setting when signed in."""
    check_csrf()
    chosen = normalise(request.form.get("lang")) or "en"
    user = current_actor().user
    if user is not None:
        user.locale = chosen  # the account's own preference; nothing else depends on it
        commit()
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie(LANG_COOKIE, chosen, max_age=LANG_COOKIE_AGE, httponly=True,
                        samesite="Lax", secure=request.is_secure)
    return response


@bp.post("/preferences/title")
def tab_title() -> Any:
    """Hide or show the name Saheli in the browser tab (for a shared phone)."""
    check_csrf()
    response = redirect(safe_next(request.form.get("next")))
    if request.form.get("neutral") == "1":
        response.set_cookie(NEUTRAL_TITLE_COOKIE, "1", max_age=LANG_COOKIE_AGE, httponly=True,
                            samesite="Lax", secure=request.is_secure)
    else:
        response.delete_cookie(NEUTRAL_TITLE_COOKIE)
    return response


@bp.post("/account/totp")
@signed_in_page
def totp_start() -> Any:
    """Start enrolling an authenticator app: the secret is shown until confirmed. Replacing
    an enrolled app needs a current code of it or the password; it stays in use until the
    new one is confirmed."""
    check_csrf()
    try:
        accounts.start_totp(db.session(), current_actor().require_user(),
                            code=request.form.get("code") or None,
                            password=request.form.get("password") or None)
        commit()
    except DomainError as exc:
        rollback()
        return account_page(exc.status, error=form_errors(exc)[1],
                            errors={"totp_proof": [form_errors(exc)[1]]})
    return redirect(url_for("web.account") + "#totp")


@bp.post("/account/totp/confirm")
@signed_in_page
def totp_confirm() -> Any:
    """Finish enrolment with a current code."""
    check_csrf()
    try:
        accounts.confirm_totp(db.session(), current_actor().require_user(),
                              request.form.get("code", ""))
        commit()
    except DomainError as exc:
        rollback()
        flash(form_errors(exc)[0].get("code", [form_errors(exc)[1]])[0], "error")
        return redirect(url_for("web.account") + "#totp")
    flash(gettext("Your authenticator app is set up. Sign-in now asks for its code."))
    return redirect(url_for("web.account"))


@bp.get("/account/export")
@signed_in_page
def export() -> Response:
    """Download everything stored about her, as the API's `GET /me/export` gives it."""
    data = privacy.export_account(db.session(), current_actor().require_user())
    response = make_response(json.dumps(data, ensure_ascii=False, indent=1))
    response.mimetype = "application/json"
    # A neutral name: a download list on a checked phone must not name the forum (issue #19).
    name = f"my-data-{dt.date.today().isoformat()}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/account/sessions/revoke-others")
@signed_in_page
def revoke_others() -> Any:
    """Sign out every other device and token."""
    check_csrf()
    privacy.revoke_other_sessions(db.session(), current_actor().require_user(),
                                  g.get("auth_token_id"))
    commit()
    flash(gettext("Every other device is signed out."))
    return redirect(url_for("web.account"))


@bp.post("/account/sessions/<id:token_id>/revoke")
@signed_in_page
def revoke_one(token_id: int) -> Any:
    """Sign out one other device or token ("Sign out" next to it in the list)."""
    check_csrf()
    current = g.get("auth_token_id")
    privacy.revoke_session(db.session(), current_actor().require_user(), token_id)
    commit()
    if token_id == current:  # not offered on the page, but then this browser is signed out
        end_browser_session()
        flash(gettext("You are signed out."))
        return redirect(url_for("web.home"))
    flash(gettext("That device is signed out."))
    return redirect(url_for("web.account") + "#sessions")


@bp.post("/account/delete")
@signed_in_page
def delete_account() -> Any:
    """Erase the account for good, after the password."""
    check_csrf()
    actor = current_actor()
    user = actor.require_user()
    try:
        privacy.erase_account(db.session(), user, password=request.form.get("password", ""),
                              erase_posts=request.form.get("erase_posts") == "yes")
        commit()
    except DomainError as exc:
        rollback()
        errors, message = form_errors(exc)
        return account_page(exc.status, errors=errors, error=message)
    end_browser_session()
    flash(gettext("Your account is erased."))
    return redirect(url_for("web.home"))

