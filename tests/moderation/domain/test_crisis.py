"""Crisis detection by risk (issue #14): levels in three languages, negation, someone else,
support talk, idioms, never blocked, and the risk carried on the reason the queue reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.domain.crisis import (
    HIGH,
    IMMINENT,
    MODERATE,
    REASON_CODE,
    anchor_rules,
    assess,
    crisis_reason,
    risk_of,
)
from moderation.domain.lexicon import LEXICON_DIR, expand, read_lexicon
from moderation.domain.pipeline import Pipeline
from moderation.screener import ModerationScreener

EVAL = Path(__file__).resolve().parents[3] / "bench" / "moderation_eval" / "crisis"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.build()


def risk(text: str) -> str | None:
    found = assess(text)
    return None if found is None else found.risk


@pytest.mark.parametrize(
    "text",
    [
        # a means, a time, a plan (English, Roman Urdu, Urdu, code-mixed)
        "I have 30 sleeping pills saved up and tonight is the night",
        "how many tablets would it take to never wake up",
        "i want to die and there is rat poison under the sink",
        "800mg in my hand right now",
        "💊💊 tonight",
        "aaj raat sab ke sone ke baad saari goliyan kha lungi",
        "zehr kha lungi main",
        "chhat se chhalang laga dungi",
        "آج رات میں زہر کھا لوں گی",
        "پنکھے سے لٹک جاؤں گی",
        "tonight main khatam kar dungi, rope ready hai",
    ],
)
def test_a_plan_a_means_or_a_time_is_imminent(text: str) -> None:
    assert risk(text) == IMMINENT


@pytest.mark.parametrize(
    "text",
    [
        "I want to die",
        "hurting myself again, i can't stop",
        "i keep thinking about killing myself",
        "mar jana chahti hoon",
        "khud ko khatam kar dungi",
        "khudkushi ka soch rahi hun",
        "خودکشی کر لوں گی",
        "میں مرنا چاہتی ہوں",
        "i seriously want to end my life yaar",
    ],
)
def test_explicit_ideation_and_self_harm_are_high(text: str) -> None:
    assert risk(text) == HIGH


@pytest.mark.parametrize(
    "text",
    [
        "soon nobody will have to put up with me",
        "tell my sister I loved her",
        "everyone would be better off without me",
        "sab ko mujh se chutkara mil jayega",
        "koi umeed nahi bachi",
        "میرے بغیر سب خوش رہیں گے",
    ],
)
def test_hopelessness_burden_and_goodbyes_are_moderate(text: str) -> None:
    assert risk(text) == MODERATE


@pytest.mark.parametrize(
    "text",
    [
        "I would never kill myself",
        "i'm not suicidal, just tired",
        "main kabhi khudkushi nahi karungi",
    ],
)
def test_negated_ideation_is_still_offered_help_at_lower_risk(text: str) -> None:
    assert risk(text) == MODERATE


@pytest.mark.parametrize(
    "text",
    [
        "my friend said she wants to die",
        "my sister cuts herself",
        "meri dost kehti hai wo marna chahti hai",
        "میری دوست کہتی ہے کہ وہ مرنا چاہتی ہے",
    ],
)
def test_someone_else_in_crisis_is_offered_help_at_lower_risk(text: str) -> None:
    assert risk(text) == MODERATE


def test_her_own_words_beside_someone_elses_keep_her_risk() -> None:
    assert risk("my friend said she wants to die. i want to die too") == HIGH


@pytest.mark.parametrize(
    "text",
    [
        "we talked about suicide prevention at the workshop",
        "the helpline number is 0311 7786264, they answer till midnight",
        "if you feel suicidal please call the helpline, you are not alone",
        "suicide prevention day is on 10 september",
        "khudkushi ke baare mein baat karna zaroori hai",
        "خودکشی کی روک تھام پر سیمینار تھا",
        "news: suicide rates rising, report says",
    ],
)
def test_support_talk_about_crisis_raises_nothing(text: str) -> None:
    assert assess(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I'm dying to see you",
        "mar gayi hansi se 😂",
        "this heat is killing me",
        "i could die of happiness",
        "exams next week and i feel so stressed",
        "doctor gave me 500mg paracetamol for the fever",
        "we are having dinner on the roof tonight",
        "this song 'i want to die in your arms' is on repeat",
    ],
)
def test_idioms_lyrics_and_everyday_look_alikes_raise_nothing(text: str) -> None:
    assert assess(text) is None


def test_the_reason_keeps_its_code_and_carries_the_risk(pipeline: Pipeline) -> None:
    v = pipeline.screen("tonight after everyone sleeps i will take all the pills")
    assert v.crisis is True
    assert REASON_CODE in v.codes and v.codes[0] == "crisis:self_harm"
    reason = v.reasons[0]
    assert (reason.action, reason.category, reason.source) == ("crisis", "self_harm", "crisis:imminent")
    assert risk_of(v.reasons) == IMMINENT
    screening = ModerationScreener().screening_of(v)
    assert risk_of(screening.detail.reasons) == IMMINENT  # the queue's dicts: origin crisis:<risk>
    assert screening.resources and screening.is_crisis


def test_risk_of_takes_the_most_urgent() -> None:
    reasons = [{"origin": "crisis:moderate"}, {"origin": "abuse_model:0.9"}, {"source": "crisis:high"}]
    assert risk_of(reasons) == HIGH
    assert risk_of([{"origin": "rule:3"}]) is None


@pytest.mark.parametrize(
    "text",
    [
        "I want to kill myself, you stupid bitch",
        "main khud ko khatam kar lungi, tujhe jaan se maar dunga",
        "aaj raat zehr kha lungi, sab harami hain",
    ],
)
def test_crisis_is_never_blocked_whatever_else_matches(pipeline: Pipeline, text: str) -> None:
    v = pipeline.screen(text)
    assert v.crisis is True and v.action != "block"
    screening = ModerationScreener().screening_of(v)
    assert screening.status != "blocked" and screening.resources


def test_every_phrase_the_old_crisis_list_knew_is_still_found() -> None:
    """The phrase list this detector replaced (kept as `crisis.tsv`) is a regression corpus."""
    missed = [
        variant
        for entry in read_lexicon(LEXICON_DIR / "crisis.tsv", id_prefix="crisis")
        for variant in expand(entry.pattern)
        if assess(variant) is None
    ]
    assert missed == []


def _eval_texts() -> list[str]:
    return [json.loads(line)["text"] for path in sorted(EVAL.glob("*.jsonl"))
            for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_the_anchors_never_hide_a_cue(pipeline: Pipeline) -> None:
    """The pipeline reads a text with the detector only when a crisis anchor (compiled into the
    rule set) matched; on every evaluation text, whatever the detector alone finds is offered
    help lines, and nothing alerts that the detector alone would not (the crisis model may
    quiet an alert, never add one)."""
    assert {r.language for r in anchor_rules()} == {"en", "ur", "roman_ur"}

    def disagrees(text: str) -> bool:
        found = assess(text) is not None
        verdict = pipeline.screen(text)
        return (found and not verdict.offers_help) or (verdict.crisis and not found)

    # A count only, computed outside the assertion: the texts include the held-out part, which
    # no failure may print (pytest would show a list named in the assertion; a text read from
    # a failing test is a text tuned to).
    count = sum(map(disagrees, _eval_texts()))
    assert count == 0, f"{count} evaluation texts: anchors and detector disagree"


def test_crisis_reason_of_empty_text_is_none() -> None:
    assert crisis_reason("") is None and assess("   ") is None


hostile = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Z", "Cf")),
    max_size=300,
) | st.lists(
    st.sampled_from(["suicide", "khudkushi", "خودکشی", "pills", "tonight", "'", '"', "song",
                     "if", "you", "not", "never", "my friend", "she", "workshop", ",", ".",
                     "mar", "zehr", "لوں", "گی", "800mg", "💊", "used to", "hansi se"]),
    max_size=40,
).map(" ".join)
CRISIS_SENTENCES = ["I want to kill myself.", "main khud ko khatam kar lungi.",
                    "میں خودکشی کر لوں گی۔", "tonight i will take all my pills."]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(hostile)
def test_screening_never_raises(text: str) -> None:
    found = assess(text)
    assert found is None or found.risk in (IMMINENT, HIGH, MODERATE)


@SETTINGS
@given(hostile, st.sampled_from(CRISIS_SENTENCES))
def test_appending_a_crisis_sentence_to_any_text_gives_help_lines(
    pipeline: Pipeline, text: str, sentence: str
) -> None:
    v = pipeline.screen(text + "\n" + sentence)
    screening = ModerationScreener().screening_of(v)
    assert v.crisis and screening.resources and screening.status != "blocked"


@pytest.mark.parametrize("insult", ["you stupid bitch", "fuck you all", "tum sab kamine ho", "bitch"])
@pytest.mark.parametrize(
    "text",
    [
        "nobody would even notice if i was gone",
        "walking to the railway line now, bye",
        "ammi ko batana main unse bohat pyar karti thi",
        "میرے بغیر سب خوش رہیں گے",
    ],
)
def test_an_insult_before_or_after_never_withholds_help_lines(
    pipeline: Pipeline, text: str, insult: str
) -> None:
    screener = ModerationScreener()
    for variant in (f"{text} {insult}", f"{insult} {text}", f"{text}. {insult}"):
        screening = screener.screening_of(pipeline.screen(variant))
        assert screening.resources, variant
        assert screening.status != "blocked", variant


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("saari neend ki goliyan kha chuki hun ab", IMMINENT),
        ("maine 15 tablets le li hain, bas ab so jaungi", IMMINENT),
        ("goliyan kha li hain, sab ko sorry", IMMINENT),
        ("apni zindagi khatam karne ka soch rahi hun", HIGH),
        ("اب جینے کی کوئی خواہش نہیں رہی", HIGH),
        ("کل رات پھر اپنی کلائی کاٹی", HIGH),
        ("tell my baby brother that i loved him more than anything", MODERATE),
        ("my cousin told me she took a bunch of pills last night", MODERATE),
    ],
)
def test_classes_the_spent_parts_missed(text: str, expected: str) -> None:
    assert risk(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "if I fail this maths test I'll literally die lol",
        "physics ka paper dekh ke mar jaungi yaar haha",
        "sorry everyone, I was late to the group call",
        "goodbye to my old phone, it served me well",
        "khudkushi ke khayal aate hon to ghar walon se baat karein",
        "he said he'd kill himself if i left, that's how he controlled me",
    ],
)
def test_hyperbole_apologies_and_advice_raise_nothing(text: str) -> None:
    assert risk(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "kai saal pehle main bhi marne ka sochti thi, aaj khush hun. umeed na chhorna behno",
        "years ago i wanted to die. today i am happy, hold on sisters",
        "apni cousin ki help kaise karun jo self harm karti hai? bas saath dena hai",
        "سہیلی نے خودکشی کی کوشش کی تھی، اس کا ساتھ کیسے دوں؟",
    ],
)
def test_a_survivors_past_and_asking_how_to_help_are_not_her_crisis(text: str) -> None:
    """No counsellor is called for a survivor telling her past to give hope, or for a woman
    asking how to stand by a friend (the help lines still go with the crisis words)."""
    assert assess(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "i used to cut, and now i want to die again",
        "years ago i tried, today i have the pills ready",
        "kai saal pehle bhi aisa hua tha, ab phir se marne ka dil karta hai",
    ],
)
def test_a_past_crisis_that_is_back_is_still_read(text: str) -> None:
    assert assess(text) is not None
