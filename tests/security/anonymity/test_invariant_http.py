"""The anonymity invariant over the JSON API (API.md "Blocks"; DESIGN.md "Privacy by
construction"): two worlds that differ only in who wrote the anonymous content, every block
being with the suspect `x`, answer every observer but a moderator alike — lists, threads,
room history, her blocks, export, evidence and reports, moderation checks, and the answers
(errors included) to replying to, reacting to and reporting the anonymous content.

The explicit tests are the de-anonymisation holes of issue #12, each as the pair of worlds
that told them apart.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given

from tests.security.anonymity.conftest import (
    OBSERVERS,
    World,
    WorldPair,
    action_sequences,
    describe,
    hypothesis_settings,
    initial_block_sets,
)

KINDS = ("json",)


def assert_alike(worlds: WorldPair, actions: list[tuple[Any, ...]], blocks: Any = (),
                 observers: tuple[str, ...] = OBSERVERS) -> None:
    diffs = worlds.compare(actions, blocks, KINDS, observers)
    assert not diffs, f"actions {actions}, blocks with x {blocks}\n" + describe(diffs)


def test_two_worlds_with_the_same_author_are_alike(worlds: WorldPair) -> None:
    """The control: the normalisation removes times and random tokens and nothing else
    differs, so any difference the other tests find is the author's."""
    actions = [("anon_reply", "named_thread"), ("react", "member", "anon_opening"),
               ("report", "blocker", "anon_opening", "warn"), ("named_reply", "blocked",
                                                               "anon_thread")]
    diffs = worlds.compare(actions, ("blocker", "blocked"), KINDS, authors=("x", "x"))
    assert not diffs, describe(diffs)


@hypothesis_settings(max_examples=12)
@given(actions=action_sequences(), blocks=initial_block_sets())
@example(actions=[("report", "member", "anon_opening", "hide_from_me")], blocks=())
@example(actions=[("anon_reply", "named_thread"), ("react", "blocked", "anon_reply")],
         blocks=("blocker", "blocked"))
def test_who_wrote_anonymous_content_cannot_be_told_over_the_api(
        worlds: WorldPair, actions: list[tuple[Any, ...]], blocks: Any) -> None:
    assert_alike(worlds, actions, blocks)


# --- the holes of issue #12, one pair of worlds each ------------------------------------------


def test_hide_from_me_on_anonymous_content_blocks_no_one(worlds: WorldPair) -> None:
    """Hole 1: `hide_from_me` on an anonymous post must not create a block naming its
    author (GET /blocks, GET /me/export), nor anything else that depends on her."""
    actions = [("anon_reply", "anon_thread"),
               ("report", "member", "anon_opening", "hide_from_me"),
               ("report", "member", "anon_reply", "hide_from_me")]
    assert_alike(worlds, actions, observers=("member",))
    world = worlds.build("x", actions, kinds=KINDS, observers=("member",))
    looks = dict(world.observations["member"])
    assert looks["json GET /blocks"]["body"] == {"blocks": []}
    assert looks["json GET /me/export"]["body"]["blocks"] == []


def test_a_block_does_not_touch_anonymous_content_either_way(worlds: WorldPair) -> None:
    """Hole 2: `blocker` blocked x and x blocked `blocked`; whether x or y wrote the
    anonymous thread, replies and room message, both see them and may answer and react."""
    actions = [("anon_reply", "anon_thread"), ("anon_reply", "named_thread"), ("room_anon",),
               ("react", "blocked", "anon_opening"), ("react", "blocker", "anon_reply"),
               ("named_reply", "blocked", "anon_thread")]
    assert_alike(worlds, actions, ("blocker", "blocked"), observers=("blocker", "blocked"))


def test_the_reply_flood_detector_does_not_know_who_wrote_an_anonymous_thread(
        worlds: WorldPair) -> None:
    """Hole 3: five replies in the anonymous thread, then one in x's named thread: the
    moderation answer to the last must not depend on whether x wrote the first."""
    assert_alike(worlds, [("reply_burst", "member")], observers=("member",))


def test_moderators_see_the_author_and_each_look_is_audited(
        world_databases: Any, tmp_path_factory: Any) -> None:
    """The exception: moderators see who wrote it (so the worlds differ for them), and
    every look writes an `author.reveal` audit entry."""
    tmp = tmp_path_factory.mktemp("moderator")
    for author, handle in (("x", "xara_k"), ("y", "yusra_n")):
        world = World(world_databases.fresh(), tmp, author=author)
        try:
            world.setup()
            thread_id = world.refs.anon_threads[0]
            looks = []
            for _ in range(2):
                seen = world.request("moderator", "GET", f"/threads/{thread_id}")
                assert seen.status_code == 200
                looks.append(seen.get_json()["posts"][0]["author"])
                audit = world.request("moderator", "GET", "/moderation/audit?action=author.reveal")
                assert audit.status_code == 200, audit.get_json()
                looks.append(len(audit.get_json()["entries"]))
            assert looks[0]["handle"] == handle and looks[2]["handle"] == handle
            assert looks[3] > looks[1] > 0, looks
            world.run(("room_anon",))
            before = looks[3]
            history = world.request("moderator", "GET", f"/rooms/{world.room}/messages")
            assert history.get_json()["messages"][-1]["author"]["handle"] == handle
            audit = world.request("moderator", "GET", "/moderation/audit?action=author.reveal")
            assert len(audit.get_json()["entries"]) > before
        finally:
            world.close()


def test_blocking_a_moderator_hides_nothing_from_her(
        world_databases: Any, tmp_path_factory: Any) -> None:
    """Hole 6 (threads): a member who blocks a moderator does not hide his named threads
    and replies from her; staff cannot be blocked out of their duties."""
    world = World(world_databases.fresh(), tmp_path_factory.mktemp("staff"), author="x")
    try:
        world.setup()
        moderator = world.accounts["moderator"]
        assert world.request("member", "POST", "/blocks",
                             {"user_id": moderator.id}).status_code == 201
        world.named_thread("member")
        thread_id = world.refs.named_threads[-1]
        seen = world.request("moderator", "GET", f"/threads/{thread_id}")
        assert seen.status_code == 200, seen.get_json()
        listed = world.request("moderator", "GET", "/boards/talk/threads").get_json()
        assert thread_id in [t["id"] for t in listed["threads"]]
    finally:
        world.close()


def test_the_queue_context_keeps_anonymous_posts_anonymous_even_to_moderators(
        world_databases: Any, tmp_path_factory: Any) -> None:
    """Issue #18: a reported named reply in the anonymous thread comes with the thread around
    it; the anonymous opening post in that context names no one, so the moderator's queue
    answer about the *reply* is alike whether x or y wrote the thread."""
    tmp = tmp_path_factory.mktemp("queue-context")
    seen = []
    for author in ("x", "y"):
        world = World(world_databases.fresh(), tmp, author=author)
        try:
            world.setup()
            thread_id = world.refs.anon_threads[0]
            reply = world.request("member", "POST", f"/threads/{thread_id}/posts",
                                  {"body": "You should have known better"})
            assert reply.status_code == 201, reply.get_json()
            reply_id = reply.get_json()["post"]["id"]
            assert world.request("blocker", "POST", "/reports", {
                "target_type": "post", "target_id": reply_id, "reason": "harassment"},
            ).status_code == 201
            items = world.request("moderator", "GET", "/moderation/queue").get_json()["items"]
            [item] = [i for i in items if i["target_id"] == reply_id]
            [opening] = [c for c in item["context"] if c["relation"] in {"before", "replied_to"}]
            assert opening["anonymous"] is True and opening["author"] is None
            untimed = [{k: v for k, v in c.items() if k != "created_at"} for c in item["context"]]
            seen.append(json.dumps(untimed, sort_keys=True))
        finally:
            world.close()
    assert seen[0] == seen[1]
