"""Shield mode over JSON (API.md, "Shield mode"; issue #17): her shield, her tray, her
helpers. Her helpers reach her tray through `/users/{id}/shield/...`; anyone else gets 404."""

from __future__ import annotations

from typing import Any

from forum import db
from forum.api import schemas as s
from forum.api.core import endpoint
from forum.policy import Actor
from forum.services import shield

TAG = "shield"


@endpoint("/me/shield", "GET", summary="Her shield: on, until, what it holds, helpers",
          tag=TAG, response=s.ShieldEnvelope, errors=(401,))
def get_shield(actor: Actor) -> dict[str, Any]:
    user = actor.require_user()
    return {"shield": shield.shield_json(db.session(), user.id)}


@endpoint("/me/shield", "PUT", summary="Turn her shield on (7, 14 or 28 days) or off",
          tag=TAG, body=s.ShieldIn, response=s.ShieldEnvelope, errors=(401, 422))
def put_shield(actor: Actor, body: s.ShieldIn) -> dict[str, Any]:
    return {"shield": shield.set_shield(db.session(), actor, on=body.on, days=body.days,
                                        hold=body.hold)}


@endpoint("/me/shield/held", "GET", summary="Her held items, newest first", tag=TAG,
          response=s.ShieldHeldOut, errors=(401,))
def my_held(actor: Actor) -> dict[str, Any]:
    user = actor.require_user()
    return {"items": shield.held_items(db.session(), actor, user.id)}


@endpoint("/users/<int:user_id>/shield/held", "GET", summary="Her held items (her helpers)",
          tag=TAG, response=s.ShieldHeldOut, errors=(401, 404))
def helper_held(actor: Actor, user_id: int) -> dict[str, Any]:
    return {"items": shield.held_items(db.session(), actor, user_id)}


def _decide(actor: Actor, owner_id: int, post_id: int, action: str, block: bool
            ) -> dict[str, Any]:
    return shield.decide(db.session(), actor, owner_id, post_id, action, block=block)


@endpoint("/me/shield/held/<int:post_id>/release", "POST", summary="Release a held item",
          tag=TAG, body=s.ShieldDecideIn, response=s.ShieldDecisionOut, errors=(401, 404, 422))
def release(actor: Actor, body: s.ShieldDecideIn, post_id: int) -> dict[str, Any]:
    return _decide(actor, actor.require_user().id, post_id, "release", body.block)


@endpoint("/me/shield/held/<int:post_id>/reject", "POST", summary="Reject a held item",
          tag=TAG, body=s.ShieldDecideIn, response=s.ShieldDecisionOut, errors=(401, 404, 422))
def reject(actor: Actor, body: s.ShieldDecideIn, post_id: int) -> dict[str, Any]:
    return _decide(actor, actor.require_user().id, post_id, "reject", body.block)


@endpoint("/users/<int:user_id>/shield/held/<int:post_id>/release", "POST",
          summary="Release a held item for her (her helpers)", tag=TAG, body=s.ShieldDecideIn,
          response=s.ShieldDecisionOut, errors=(401, 404, 422))
def helper_release(actor: Actor, body: s.ShieldDecideIn, user_id: int, post_id: int
                   ) -> dict[str, Any]:
    return _decide(actor, user_id, post_id, "release", body.block)


@endpoint("/users/<int:user_id>/shield/held/<int:post_id>/reject", "POST",
          summary="Reject a held item for her (her helpers)", tag=TAG, body=s.ShieldDecideIn,
          response=s.ShieldDecisionOut, errors=(401, 404, 422))
def helper_reject(actor: Actor, body: s.ShieldDecideIn, user_id: int, post_id: int
                  ) -> dict[str, Any]:
    return _decide(actor, user_id, post_id, "reject", body.block)


@endpoint("/me/shield/helpers", "POST", summary="Invite a helper (at most three)", tag=TAG,
          body=s.ShieldHelperIn, response=s.ShieldInviteEnvelope, status=201,
          errors=(401, 404, 409, 422))
def invite(actor: Actor, body: s.ShieldHelperIn) -> tuple[dict[str, Any], int]:
    return {"invite": shield.invite_helper(db.session(), actor, body.user_id)}, 201


@endpoint("/me/shield/helpers/<int:user_id>", "DELETE", summary="Remove a helper at once",
          tag=TAG, status=204, errors=(401,))
def remove(actor: Actor, user_id: int) -> tuple[None, int]:
    shield.remove_helper(db.session(), actor, user_id)
    return None, 204


@endpoint("/me/shield/activity", "GET", summary="Her helpers' actions, newest first", tag=TAG,
          response=s.ShieldActivityOut, errors=(401,), reads=True)
def activity(actor: Actor) -> dict[str, Any]:
    return {"activity": shield.activity(db.session(), actor)}


@endpoint("/me/shield/helping", "GET", summary="Invitations she received, trays she helps with",
          tag=TAG, response=s.ShieldInvitesOut, errors=(401,), reads=True)
def helping(actor: Actor) -> dict[str, Any]:
    return {"invites": shield.helping(db.session(), actor)}


@endpoint("/shield-invites/<int:invite_id>/accept", "POST", summary="Accept a helper invitation",
          tag=TAG, response=s.ShieldInviteEnvelope, errors=(401, 404))
def accept(actor: Actor, invite_id: int) -> dict[str, Any]:
    return {"invite": shield.answer_invite(db.session(), actor, invite_id, accept=True)}


@endpoint("/shield-invites/<int:invite_id>/decline", "POST",
          summary="Decline a helper invitation", tag=TAG, status=204, errors=(401, 404))
def decline(actor: Actor, invite_id: int) -> tuple[None, int]:
    shield.answer_invite(db.session(), actor, invite_id, accept=False)
    return None, 204
