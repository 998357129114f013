"""Regex rules fail closed: no text can make a block or hold rule be skipped (issue #12, hole 17).

Rules run on RE2 (linear time); all regex rules of one text share a CPU budget, and a text the
budget cannot finish with is held for review (`regex:budget:hold`), never published past an
unchecked block rule. Catastrophic patterns are refused when a moderator saves them.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.domain.normalize import normalize
from moderation.domain.pipeline import Pipeline
from moderation.domain.rules import InvalidRule, RuleSet, RuleSpec, check_regex

BODY_MAX = 20_000

#: Patterns a moderator might well write; on a backtracking engine several take quadratic time
#: on one long word or run of spaces (the crafted text below), and used to exhaust the budget.
ORDINARY = [
    r"\s+$",
    r"\w+\d",
    r"\w+\s*$",
    r"\w+[0-9]{2}",
    r"\w+\s*!{3}",
    r".*kill.*you",
    r"\w+@\w+\.com",
    r"0?3\d{2}[- ]?\d{7}",
    r"k+i+l+\s*(kar|kr)",
    r"gr[ae]y\s*vans?",
    r"(call|text|whatsapp)\s+me\s+at",
    r"(tumhari|teri)\s+(photo|tasveer)",
    r"\d{5}-\d{7}-\d",
    r"meet\s+(me\s+)?at\s+\w+",
    r"https?://\S+",
    r"bit\.ly/\w+",
    r"(ma+r|maa?r)\s+d(e|o|ungi?)",
    r"jaan\s+se\s+maar",
    r"(?i)send\s+nudes?",
    r"acid\s+(phenk|throw)",
]


def flag_rules() -> list[RuleSpec]:
    return [RuleSpec(f"rule:{i}", p, "regex", "flag") for i, p in enumerate(ORDINARY)]


BLOCK = RuleSpec("rule:999", r"grey\s+van\s+outside\s+your\s+house", "regex", "block")
CRAFTED = "i know about the grey van outside your house " + "ab" * 9_900 + " " * 150 + "x"


def codes(verdict) -> list[str]:
    return [r.code for r in verdict.reasons]


def test_crafted_text_cannot_make_a_block_rule_be_skipped() -> None:
    """The block rule written last still runs after twenty ordinary rules on a crafted text."""
    pipeline = Pipeline.build([*flag_rules(), BLOCK], include_lexicons=False)
    assert len(CRAFTED) <= BODY_MAX
    verdict = pipeline.screen(CRAFTED)
    assert verdict.action == "block"
    assert "rule:999:block" in codes(verdict)
    assert not any(code.startswith("regex:budget") for code in codes(verdict))


def test_an_exhausted_budget_holds_the_text_and_says_why() -> None:
    pipeline = Pipeline.build([*flag_rules(), BLOCK], include_lexicons=False, regex_budget=0.0)
    verdict = pipeline.screen("see you at the park tomorrow")
    assert verdict.action == "hold"
    assert "regex:budget:hold" in codes(verdict)


def test_a_budget_left_with_only_flag_rules_flags_for_review() -> None:
    pipeline = Pipeline.build(flag_rules(), include_lexicons=False, regex_budget=0.0)
    verdict = pipeline.screen("see you at the park tomorrow")
    assert verdict.action == "flag" and "regex:budget:flag" in codes(verdict)


def test_a_legacy_rule_that_times_out_fails_closed() -> None:
    """A rule stored before RE2 (a lookbehind RE2 refuses) runs on the backtracking engine;
    when it times out, the text is held instead of published past it."""
    legacy = RuleSpec("rule:7", r"(?<=a)\w+\s*$", "regex", "block")
    verdict = Pipeline.build([legacy], include_lexicons=False).screen("ab" * 9_900 + "!")
    assert verdict.action == "hold"
    assert "regex:budget:hold" in codes(verdict)


def test_texts_without_regex_rules_never_meet_the_budget() -> None:
    ruleset = RuleSet.compile([RuleSpec("w", "grey", "word", "block")], regex_budget=0.0)
    assert [h.rule.id for h in ruleset.match(normalize("a grey cat"))] == ["w"]


_WORDS = (
    "I am scared he will find me again , my sister says I should block him . "
    "Thank you all for listening 🙏 it helps so much . Call 0311-7786264 ? "
    "mujhe samajh nahi aa raha kya karoon , woh har roz message karta hai . "
    "میں بہت پریشان ہوں ، وہ مجھے روز تنگ کرتا ہے . "
    "https://example.org/help 2024 ... !!! ?? -- ** _ > # 1. - [link](https://x.org) "
    "aaaaaaah noooo sooo tired\n\n"
).split(" ")


@st.composite
def realistic_text(draw) -> str:
    """Support talk in three languages, any length up to the body maximum."""
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=120))
    runs = draw(st.lists(st.sampled_from([" ", "\n", "a", "!", "1", "ہ"]), max_size=3))
    size = draw(st.integers(min_value=1, max_value=BODY_MAX))
    text = " ".join(words)
    text = (text * (size // max(1, len(text)) + 1))[:size]
    for run in runs:  # a long run of one character, as when someone leans on a key
        cut = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:cut] + run * draw(st.integers(1, 2_000)) + text[cut:]
    return text[:BODY_MAX]


_SEEDED = Pipeline.build([*flag_rules(), BLOCK])  # the shipped lexicons too


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(realistic_text())
def test_benign_text_of_any_size_never_exhausts_the_budget(text: str) -> None:
    verdict = _SEEDED.screen(text)
    assert not any(code.startswith("regex:budget") for code in codes(verdict))


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(x|x)*y", r"(\w+\s?)*$", r"(a|a?)+b"])
def test_catastrophic_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(InvalidRule, match="exponential"):
        check_regex(pattern)


@pytest.mark.parametrize("pattern", [*ORDINARY[:-1], r"(\s+\w+){0,3}", r"(ha)+", r"\p{Arabic}+"])
def test_ordinary_patterns_are_accepted(pattern: str) -> None:
    check_regex(pattern)


def add_rule(forum, moderator, pattern: str, action: str = "block"):
    return forum.client.post("/api/v1/moderation/rules", headers=moderator.headers,
                             json={"pattern": pattern, "kind": "regex", "action": action})


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(x|x)*y"])
def test_a_moderator_cannot_save_a_catastrophic_pattern(forum, make_user, pattern: str):
    moderator = make_user("moderator")
    refused = add_rule(forum, moderator, pattern)
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["code"] == "validation_failed"
    assert "exponential time" in " ".join(problem["errors"]["pattern"])
    listed = forum.client.get("/api/v1/moderation/rules", headers=moderator.headers).get_json()
    assert listed["rules"] == []


def test_a_moderator_cannot_save_what_re2_cannot_run(forum, make_user):
    refused = add_rule(forum, make_user("moderator"), r"(?<!not )kill")
    assert refused.status_code == 422
    assert "lookarounds" in " ".join(refused.get_json()["errors"]["pattern"])


@pytest.fixture
def app_settings():
    return {"FORUM_REGEX_BUDGET_MS": 0}


def test_a_post_the_budget_cannot_finish_is_held_for_review(forum, make_user):
    """With no budget at all (FORUM_REGEX_BUDGET_MS=0) a regex block rule is never run: the
    post is held, not published, and a moderator sees why."""
    moderator, author, reader = make_user("moderator"), make_user(), make_user()
    assert add_rule(forum, moderator, r"gr[ae]y\s*vans?").status_code == 201
    answer = forum.thread(author, "Thank you all, today was a better day")
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["moderation"] == {"status": "pending", "reasons": ["regex:budget:hold"]}
    assert forum.thread_posts(reader, body["thread"]["id"]).status_code == 404
    item = forum.item_for(moderator, body["post"]["id"])
    assert "regex:budget:hold" in [r["code"] for r in item["reasons"]]
