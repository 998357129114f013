"""Data rights over JSON: export, erasure, recovery codes, sessions."""

from __future__ import annotations

from typing import Any

from flask import g

from forum import db
from forum.api import schemas as s
from forum.api.core import endpoint
from forum.http.sessions import end_browser_session
from forum.policy import Actor
from forum.services import accounts, privacy


@endpoint("/me/export", "GET", summary="Everything stored about the caller", tag="privacy",
          response=s.ExportOut, errors=(401,))
def export(actor: Actor) -> dict[str, Any]:
    return privacy.export_account(db.session(), actor.require_user())


@endpoint("/me", "DELETE", summary="Erase the account (password confirmation)", tag="privacy",
          body=s.EraseIn, status=204, errors=(401, 422))
def erase(actor: Actor, body: s.EraseIn) -> tuple[None, int]:
    privacy.erase_account(db.session(), actor.require_user(), password=body.password,
                          erase_posts=body.erase_posts)
    if g.get("auth_kind") == "session":
        end_browser_session()
    return None, 204


@endpoint("/me/recovery-codes", "POST", summary="Replace the recovery codes (password confirmation)",
          tag="privacy", body=s.PasswordIn, response=s.RecoveryCodesOut, errors=(401, 403, 422))
def new_recovery_codes(actor: Actor, body: s.PasswordIn) -> dict[str, Any]:
    codes = accounts.regenerate_recovery_codes(db.session(), actor.require_user(),
                                               password=body.password)
    return {"recovery_codes": list(codes)}


@endpoint("/me/sessions", "GET", summary="Active tokens and browser sessions", tag="privacy",
          response=s.SessionsOut, errors=(401,))
def sessions(actor: Actor) -> dict[str, Any]:
    return {"sessions": privacy.list_sessions(db.session(), actor.require_user(),
                                              g.get("auth_token_id"))}


@endpoint("/me/sessions/<int:token_id>", "DELETE", summary="Sign one session out",
          tag="privacy", status=204, errors=(401, 404))
def revoke(actor: Actor, token_id: int) -> tuple[None, int]:
    privacy.revoke_session(db.session(), actor.require_user(), token_id)
    return None, 204


@endpoint("/me/sessions/revoke-others", "POST", summary="Sign out everywhere else",
          tag="privacy", response=s.OkOut, errors=(401,))
def revoke_others(actor: Actor) -> dict[str, Any]:
    privacy.revoke_other_sessions(db.session(), actor.require_user(), g.get("auth_token_id"))
    return {"ok": True}
