"""The anonymity invariant over the server-rendered pages: `/`, `/boards/{slug}`,
`/threads/{id}`, `/account`, `/account/reports`, `/rooms/{slug}` and the report pages of every
anonymous post and room message (moderation/web/reports.py), for the visitor and every
signed-in observer, in two worlds that differ only in who wrote the anonymous content (every
block being with the suspect `x`)."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given

from tests.security.anonymity.conftest import (
    WorldPair,
    action_sequences,
    describe,
    hypothesis_settings,
    initial_block_sets,
)

KINDS = ("page",)


@hypothesis_settings(max_examples=5)
@given(actions=action_sequences(max_size=5), blocks=initial_block_sets())
@example(actions=[("anon_reply", "named_thread"), ("room_anon",)], blocks=("blocker", "blocked"))
def test_who_wrote_anonymous_content_cannot_be_told_from_the_pages(
        worlds: WorldPair, actions: list[tuple[Any, ...]], blocks: Any) -> None:
    diffs = worlds.compare(actions, blocks, KINDS)
    assert not diffs, f"actions {actions}, blocks with x {blocks}\n" + describe(diffs)


def test_two_worlds_with_the_same_author_render_alike(worlds: WorldPair) -> None:
    """The control for pages: times, CSRF tokens and the room's random slug are the only
    things normalised, and with one author nothing else differs."""
    actions = [("anon_reply", "anon_thread"), ("room_anon",),
               ("report", "member", "anon_opening", "hide_from_me")]
    diffs = worlds.compare(actions, ("blocker", "blocked"), KINDS, authors=("x", "x"))
    assert not diffs, describe(diffs)
