"""The anonymity invariant under shield mode (issue #17; API.md "Shield mode"): the suspect
`x` has her shield on and a helper; the anonymous replies answer her named thread, so each is
held for her. Two worlds that differ only in who wrote the anonymous content — `x` herself
or `y` — must look alike to every observer but a moderator, her helper included: what is
held, what the writer is told, the tray, the offer, the helper's release and reject (and the
block that comes with a reject), the notifications and the pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from tests.security.anonymity.conftest import (
    SETUP_HOOKS,
    SHIELD_OBSERVERS,
    WorldPair,
    action_strategy,
    describe,
    hypothesis_settings,
    initial_block_sets,
    shield_setup,
)


@contextmanager
def shield_on() -> Iterator[None]:
    SETUP_HOOKS.append(shield_setup)
    try:
        yield
    finally:
        SETUP_HOOKS.remove(shield_setup)


def assert_alike(worlds: WorldPair, actions: list[tuple[Any, ...]], blocks: Any = (),
                 kinds: tuple[str, ...] = ("json",)) -> None:
    with shield_on():
        diffs = worlds.compare(actions, blocks, kinds, SHIELD_OBSERVERS)
    assert not diffs, f"actions {actions}, blocks with x {blocks}\n" + describe(diffs)


def test_an_anonymous_reply_to_her_is_held_whoever_wrote_it(worlds: WorldPair) -> None:
    """`x` writing anonymously in her own named thread is held exactly as `y` is."""
    assert_alike(worlds, [("anon_reply", "named_thread"), ("anon_reply", "named_thread")])


def test_the_helper_decides_alike_whoever_wrote_it(worlds: WorldPair) -> None:
    """Release one, reject (with a block) another: the block names no one, the released
    reply publishes and notifies alike."""
    assert_alike(worlds, [("anon_reply", "named_thread"), ("anon_reply", "named_thread"),
                          ("named_reply", "member", "named_thread"),
                          ("helper_release",), ("helper_reject",), ("helper_reject",)],
                 ("blocker", "blocked"))


def test_a_pile_on_with_anonymous_replies_looks_alike_with_the_shield_off(
        worlds: WorldPair) -> None:
    """No shield yet: the pile-on reaches the offer's count (each anonymous reply one
    stranger, whoever wrote it; the offer itself goes to `x` alone, see
    tests/forum/api/test_shield.py), and nothing an observer sees differs."""
    actions = [("anon_reply", "named_thread")] * 3 + [
        ("named_reply", who, "named_thread") for who in ("member", "blocker", "counsellor")]
    diffs = worlds.compare(actions, (), ("json",), SHIELD_OBSERVERS)
    assert not diffs, describe(diffs)


def test_pages_are_alike_under_shield_mode(worlds: WorldPair) -> None:
    assert_alike(worlds, [("anon_reply", "named_thread"), ("helper_release",)],
                 kinds=("page",))


def shield_actions() -> Any:
    return st.lists(st.one_of(action_strategy(), st.sampled_from(
        [("helper_release",), ("helper_reject",), ("anon_reply", "named_thread")])),
        min_size=1, max_size=6)


@hypothesis_settings(max_examples=6)
@given(actions=shield_actions(), blocks=initial_block_sets())
@example(actions=[("anon_reply", "named_thread"), ("react", "member", "anon_reply"),
                  ("helper_release",)], blocks=("blocker", "blocked"))
def test_who_wrote_anonymous_content_cannot_be_told_under_shield_mode(
        worlds: WorldPair, actions: list[tuple[Any, ...]], blocks: Any) -> None:
    assert_alike(worlds, actions, blocks)
