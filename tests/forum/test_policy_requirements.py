"""The rules of `forum.policy`, written as formulas of small checks, say what API.md says:
who is on duty, when a block acts, who sees held content, who moderates a room. The
combinators themselves keep their meaning whatever they are built from."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from forum.models.board import PostStatus
from forum.models.user import Role, User
from forum.policy import Actor, block_applies, can_see_status, has_duty
from forum.policy.requirements import (
    And,
    Anonymous,
    BlockApplies,
    CanEditPost,
    CanReadBoard,
    IsAuthor,
    IsHost,
    MayBeRestricted,
    MayModerateRoom,
    Not,
    On,
    Or,
    Requirement,
    SecondFactorOk,
    SignedIn,
)

ROLES = [None, Role.MEMBER, Role.COUNSELLOR, Role.MODERATOR, Role.ADMIN]


def actor(role: Role | None, *, uid: int = 7, totp_ok: bool = True) -> Actor:
    if role is None:
        return Actor(user=None)
    return Actor(user=User(id=uid, handle=f"u{uid}", role=role.value), totp_ok=totp_ok)


actors = st.builds(lambda role, uid, ok: actor(role, uid=uid, totp_ok=ok),
                   st.sampled_from(ROLES), st.integers(1, 3), st.booleans())
ons = st.builds(On, author_id=st.none() | st.integers(1, 3), host_id=st.none() | st.integers(1, 3),
                anonymous=st.booleans(), status=st.sampled_from([s.value for s in PostStatus]),
                visibility=st.sampled_from(["public", "members", "counsellors"]))
checks = st.sampled_from([SignedIn, SecondFactorOk, IsAuthor, IsHost, Anonymous])


@given(actors, ons, checks, checks)
def test_the_combinators_mean_and_or_not(who: Actor, on: On, a: Requirement, b: Requirement) -> None:
    assert (a & b)(who, on) == And(a, b)(who, on) == (a(who, on) and b(who, on))
    assert (a | b)(who, on) == Or(a, b)(who, on) == (a(who, on) or b(who, on))
    assert (~a)(who, on) == Not(a)(who, on) == (not a(who, on))


def test_a_rule_reads_as_its_formula() -> None:
    assert repr(CanEditPost) == "(SignedIn & (IsAuthor | Has(POST_MODERATE)))"


def test_moderators_are_on_duty_everywhere_and_a_host_only_in_her_room_with_her_factor() -> None:
    assert has_duty(actor(Role.MODERATOR))
    assert not has_duty(actor(Role.MODERATOR, totp_ok=False))
    assert has_duty(actor(Role.COUNSELLOR, uid=5), host_id=5)
    assert not has_duty(actor(Role.COUNSELLOR, uid=5), host_id=6)
    assert not has_duty(actor(Role.COUNSELLOR, uid=5, totp_ok=False), host_id=5)
    assert not has_duty(actor(Role.MEMBER))
    assert not has_duty(actor(None))


@given(actors, st.none() | st.integers(1, 3))
def test_a_block_never_acts_on_anonymous_content(who: Actor, host: int | None) -> None:
    assert not block_applies(who, anonymous=True, host_id=host)
    assert BlockApplies(who, On(anonymous=False, host_id=host)) == (
        who.user is not None and not has_duty(who, host_id=host))


def test_held_content_is_for_its_author_and_moderators_removed_for_moderators() -> None:
    author, other, mod = actor(Role.MEMBER, uid=1), actor(Role.MEMBER, uid=2), actor(Role.MODERATOR)
    for status in (PostStatus.PENDING, PostStatus.HIDDEN):
        assert can_see_status(author, status.value, 1)
        assert not can_see_status(other, status.value, 1)
        assert can_see_status(mod, status.value, 1)
    assert not can_see_status(author, PostStatus.REMOVED.value, 1)
    assert can_see_status(mod, PostStatus.REMOVED.value, 1)
    assert can_see_status(actor(None), PostStatus.PUBLISHED.value, 1)


def test_boards_by_visibility() -> None:
    assert CanReadBoard(actor(None), On(visibility="public"))
    assert not CanReadBoard(actor(None), On(visibility="members"))
    assert CanReadBoard(actor(Role.MEMBER), On(visibility="members"))
    assert not CanReadBoard(actor(Role.MEMBER), On(visibility="counsellors"))
    assert CanReadBoard(actor(Role.COUNSELLOR), On(visibility="counsellors"))


def test_room_powers_and_who_may_be_restricted() -> None:
    host = actor(Role.COUNSELLOR, uid=3)
    assert MayModerateRoom(host, On(host_id=3))
    assert not MayModerateRoom(host, On(host_id=4))
    assert MayModerateRoom(actor(Role.MODERATOR), On(host_id=4))
    assert not MayBeRestricted(host, On(host_id=3))  # her own room
    assert not MayBeRestricted(actor(Role.MODERATOR, totp_ok=False), On(host_id=3))
    assert MayBeRestricted(actor(Role.MEMBER, uid=2), On(host_id=3))
