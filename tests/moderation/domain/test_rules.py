"""Rules: whole-word matching on folded text, boundaries checked on the original, bounded regex."""

from __future__ import annotations

import pytest

from moderation.domain.normalize import normalize
from moderation.domain.rules import InvalidRule, RuleSet, RuleSpec, validate_rule


def hits(rules: list[RuleSpec], text: str) -> list[tuple[str, str]]:
    rs = RuleSet.compile(rules)
    return [(h.rule.id, text[h.start : h.end]) for h in rs.match(normalize(text))]


ASS = RuleSpec("rule:1", "ass", "word", "censor")


@pytest.mark.parametrize("text", ["class", "passage", "assistant", "as", "bass guitar", "Assam"])
def test_word_rule_does_not_hit_inside_other_words(text: str) -> None:
    assert hits([ASS], text) == []


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("you ass", "ass"),
        ("ASS!", "ass".upper()),
        ("a$$", "a$$"),
        ("aaasss", "aaasss"),
        ("a.s.s", "a.s.s"),
        ("@ss", "@ss"),
    ],
)
def test_word_rule_hits_evasions(text: str, excerpt: str) -> None:
    assert hits([ASS], text) == [("rule:1", excerpt)]


def test_phrase_rule_spans_tokens_and_spellings() -> None:
    rule = RuleSpec("rule:2", "i will kill you", "phrase", "block")
    assert hits([rule], "I WILL K1LL U!!") == [("rule:2", "I WILL K1LL U")]
    assert hits([rule], "i wiiill kiiill you") == [("rule:2", "i wiiill kiiill you")]
    assert hits([rule], "i will skill you") == []


def test_prefix_word_rule() -> None:
    rule = RuleSpec("rule:3", "fuck*", "word", "censor")
    assert hits([rule], "fucking hell") == [("rule:3", "fucking")]
    assert hits([rule], "motherfucker") == []


def test_names_pass() -> None:
    rules = [RuleSpec("r", w, "word", "block") for w in ("dick", "cunt", "kamina", "ram")]
    for name in ("Dickens", "Scunthorpe", "Kamran", "Kamal"):
        assert hits(rules, f"I met {name} today") == []


def test_roman_urdu_rules_match_spelling_variants() -> None:
    rule = RuleSpec("r", "kameena", "word", "flag", language="roman_ur")
    for variant in ("kamina", "KAMEENA", "kameeeena", "kaminaa"):
        assert hits([rule], f"tu {variant} hai") == [("r", variant)], variant


def test_roman_urdu_folding_does_not_apply_to_english_rules() -> None:
    assert hits([ASS], "as") == []


def test_many_rules_share_one_key() -> None:
    rules = [RuleSpec("a", "ass", "word", "flag"), RuleSpec("b", "ASS", "word", "hold")]
    assert sorted(hits(rules, "ass")) == [("a", "ass"), ("b", "ass")]


def test_regex_rule_runs_on_folded_text() -> None:
    rule = RuleSpec("rule:9", r"k+i+l+", "regex", "flag")
    assert hits([rule], "K.I.L.L") == [("rule:9", "K.I.L.L")]


def test_catastrophic_regex_cannot_stall_matching() -> None:
    import time

    rule = RuleSpec("rule:10", r"(a+)+$", "regex", "block")
    rs = RuleSet.compile([rule])
    start = time.monotonic()
    rs.match(normalize("a" * 5000 + "!" + "a b " * 20 + "b" * 30 + "ab" * 40 + "a" * 40 + "c"))
    assert time.monotonic() - start < 1.0


@pytest.mark.parametrize(
    "spec",
    [
        RuleSpec("x", "ass", "glob", "block"),
        RuleSpec("x", "ass", "word", "delete"),
        RuleSpec("x", "", "word", "block"),
        RuleSpec("x", "...", "word", "block"),
        RuleSpec("x", "(unclosed", "regex", "block"),
        RuleSpec("x", "a" * 301, "phrase", "block"),
    ],
)
def test_invalid_rules_are_refused(spec: RuleSpec) -> None:
    with pytest.raises(InvalidRule):
        validate_rule(spec)


def test_compile_names_the_bad_rule() -> None:
    with pytest.raises(InvalidRule, match="rule:77"):
        RuleSet.compile([RuleSpec("rule:77", "", "word", "block")])
