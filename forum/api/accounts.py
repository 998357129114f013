"""Accounts over JSON: register, login, recover, logout, me, roles, second factor."""

from __future__ import annotations

from typing import Any

from flask import g

from forum import db
from forum.api import schemas as s
from forum.api.core import endpoint
from forum.http.sessions import (
    end_browser_session,
    request_network_fingerprint,
    token_lifetime,
)
from forum.models.user import User
from forum.policy import Actor
from forum.services import accounts
from forum.shapes import iso
from forum.shapes import user_row_json as user_json
from forum.standing import active_sanctions


def public_user(user: User) -> dict[str, Any] | None:
    return user_json(user.id, user.handle, user.role)


def sanction_json(sanction: Any) -> dict[str, Any]:
    return {
        "id": sanction.id,
        "kind": sanction.kind,
        "reason": sanction.reason,
        "starts_at": iso(sanction.starts_at),
        "ends_at": iso(sanction.ends_at),
        "lifted_at": iso(sanction.lifted_at),
    }


@endpoint(
    "/auth/register", "POST", summary="Create a pseudonymous account", tag="accounts",
    body=s.RegisterIn, response=s.RegisteredOut, status=201, auth=False, errors=(409, 422),
    limit="register",
)
def register(actor: Actor, body: s.RegisterIn) -> tuple[dict[str, Any], int]:
    done = accounts.register(
        db.session(),
        handle=body.handle,
        password=body.password,
        lifetime=token_lifetime(),
        network_fingerprint=request_network_fingerprint(),
    )
    return {
        "user": public_user(done.user),
        "token": done.token,
        "recovery_codes": list(done.recovery_codes),
    }, 201


@endpoint(
    "/auth/login", "POST", summary="Sign in and get a bearer token", tag="accounts",
    body=s.LoginIn, response=s.SignedInOut, auth=False, errors=(401, 403, 422), limit="login",
)
def login(actor: Actor, body: s.LoginIn) -> dict[str, Any]:
    done = accounts.login(
        db.session(),
        handle=body.handle,
        password=body.password,
        totp=body.totp,
        lifetime=token_lifetime(),
        network_fingerprint=request_network_fingerprint(),
    )
    return {"user": public_user(done.user), "token": done.token}


@endpoint(
    "/auth/recover", "POST", summary="Set a new password with a recovery code", tag="accounts",
    body=s.RecoverIn, response=s.SignedInOut, auth=False, errors=(401, 403, 422), limit="recover",
)
def recover(actor: Actor, body: s.RecoverIn) -> dict[str, Any]:
    done = accounts.recover(
        db.session(),
        handle=body.handle,
        recovery_code=body.recovery_code,
        new_password=body.new_password,
        lifetime=token_lifetime(),
        totp=body.totp,
    )
    return {"user": public_user(done.user), "token": done.token}


@endpoint("/auth/logout", "POST", summary="Revoke this token or session", tag="accounts",
          status=204, errors=(401,))
def logout(actor: Actor) -> tuple[None, int]:
    token_id = g.get("auth_token_id")
    if token_id is not None:
        accounts.revoke_token(db.session(), token_id)
    if g.get("auth_kind") == "session":
        end_browser_session()
    return None, 204


@endpoint("/me", "GET", summary="The signed-in account and its active sanctions",
          tag="accounts", response=s.MeOut, errors=(401,))
def me(actor: Actor) -> dict[str, Any]:
    user = actor.require_user()
    sanctions = active_sanctions(db.session(), user.id)
    answer: dict[str, Any] = {
        "user": public_user(user),
        "sanctions": [sanction_json(x) for x in sanctions],
        "totp_enrolled": user.totp_enrolled,
    }
    return answer


@endpoint(
    "/users/<int:user_id>", "PATCH", summary="Change a user's role (admins)", tag="accounts",
    body=s.RoleIn, response=s.UserEnvelope, errors=(401, 403, 404, 422),
)
def patch_user(actor: Actor, body: s.RoleIn, user_id: int) -> dict[str, Any]:
    user = accounts.set_role(db.session(), actor, user_id, body.role)
    return {"user": public_user(user)}


@endpoint("/me/totp", "POST", summary="Start TOTP enrolment (re-enrolling: `code` or `password`)",
          tag="accounts", body=s.TotpStartIn, response=s.TotpStartOut, errors=(401, 403, 422))
def totp_start(actor: Actor, body: s.TotpStartIn) -> dict[str, Any]:
    secret, uri = accounts.start_totp(db.session(), actor.require_user(), code=body.code,
                                      password=body.password)
    return {"secret": secret, "otpauth_uri": uri}


@endpoint("/users/<int:user_id>/totp", "DELETE", summary="Remove a member's second factor (admins)",
          tag="accounts", status=204, errors=(401, 403, 404))
def totp_reset(actor: Actor, user_id: int) -> tuple[None, int]:
    accounts.reset_totp(db.session(), actor, user_id)
    return None, 204


@endpoint("/me/totp/confirm", "POST", summary="Confirm TOTP enrolment with a current code",
          tag="accounts", body=s.TotpConfirmIn, response=s.OkOut, errors=(401, 422))
def totp_confirm(actor: Actor, body: s.TotpConfirmIn) -> dict[str, Any]:
    accounts.confirm_totp(db.session(), actor.require_user(), body.code)
    return {"ok": True}
