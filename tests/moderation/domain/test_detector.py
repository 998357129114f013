"""The learned abuse detector: reproducible training, scorer parity, flag-only, victims' reports.

Why these: the shipped weights must be re-creatable from the data, the pure-Python scorer must
give the training library's numbers, the detector must never refuse a post, and a woman quoting
the abuse she received must not be flagged for it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderation.domain.detector import AbuseDetector, DetectorScore, abuse_reason

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "bench" / "detector"))

import train as T  # noqa: E402

SAMPLE = [
    ("tum bohat ganday ho kutti", 1),
    ("you stupid bitch shut up", 1),
    ("تم بے غیرت عورت ہو", 1),
    ("harami insan dafa ho", 1),
    ("aaj mausam acha hai", 0),
    ("thank you for the advice sister", 0),
    ("آج موسم اچھا ہے", 0),
    ("main kal school jaungi", 0),
] * 3


def test_plain_training_is_reproducible() -> None:
    texts, labels = zip(*SAMPLE, strict=True)
    assert T.fit_plain(texts, labels, epochs=5) == T.fit_plain(texts, labels, epochs=5)


def test_scorer_matches_plain_training_features() -> None:
    texts, labels = zip(*SAMPLE, strict=True)
    det = AbuseDetector(T.fit_plain(texts, labels, epochs=20))
    assert det.probability("tum kutti ho") > det.probability("aaj mausam acha hai")


def test_sklearn_training_and_parity() -> None:
    pytest.importorskip("sklearn")
    if not (T.RUHSOLD / "task_1_train.tsv").exists():
        pytest.skip("RUHSOLD data not present")
    data = T.ruhsold_binary("train")
    texts, labels = data.texts[:300], data.labels[:300]
    params = T.Params(C=4.0)
    one = T.fit_sklearn(texts, labels, params)
    assert one.ratio is not None  # NB log-count-ratio scaling is folded into the exported weights
    two = T.fit_sklearn(texts, labels, params)
    assert T.export(one, 0.5, {}) == T.export(two, 0.5, {})
    det = AbuseDetector(T.export(one, 0.5, {}))
    sample = data.texts[300:400] + ["", "😂😂", "اس نے مجھے گالی دی"]
    expected = one.predict_proba(sample)
    for text, p in zip(sample, expected, strict=True):
        assert abs(det.score(text).raw_score - p) < 1e-6


def test_detector_reason_is_always_flag() -> None:
    for value in (0.0, 0.31, 0.5, 0.99, 1.0):
        reason = abuse_reason(DetectorScore(value, "roman_ur"), 0.3)
        if reason is not None:
            assert reason.action == "flag"
            assert reason.code == "abuse_score:roman_ur"
            assert reason.category == "abuse"
    assert abuse_reason(0.1, 0.3) is None


def test_shipped_model_flags_abuse_and_spares_victims_quotes() -> None:
    det = AbuseDetector.load()
    assert det.score("chup kar kutti harami").score >= det.threshold
    assert det.score("you stupid bitch").score >= det.threshold
    rows = T.read_tsv_labelled(T.VICTIM_QUOTES)
    flagged = [t for t, _, _ in rows if abuse_reason(det.score(t), det.threshold)]
    assert len(flagged) <= 0.05 * len(rows), flagged
    assert det.score("us ne mujhe kutti kaha").reported


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He called me a stupid bitch in front of everyone", True),
        ("I was called a cunt on Twitter", True),
        ('he texted "you slut" again', True),
        ("us ne mujhe kutti kaha", True),
        ("wo mujhe harami kehta hai", True),
        ("meri saas kehti hai tu manhoos hai", True),
        ("mujhe roz gaaliyan aati hain", True),
        ("اس نے مجھے گالی دی", True),
        # ordinary tweets and insults aimed at the reader are not reports
        ("sab kehte hain tu randi hai", False),
        ("tu kya kehta hai bc", False),
        ("imran khan ne kaha tha", False),
        ("call me when you are free", False),
        ("I called him yesterday", False),
        ("report this account", False),
    ],
)
def test_reported_speech_needs_the_writer_as_target(text: str, expected: bool) -> None:
    from moderation.domain.detector import reported_speech
    from moderation.domain.normalize import normalize

    assert reported_speech(normalize(text).text) is expected


def test_held_out_victims_quotes_are_not_flagged() -> None:
    det = AbuseDetector.load()
    rows = T.read_tsv_labelled(T.VICTIM_QUOTES_FRESH)
    flagged = [t for t, _, _ in rows if abuse_reason(det.score(t), det.threshold)]
    assert len(flagged) <= 0.05 * len(rows), flagged


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_the_fast_tokeniser_splits_exactly_as_the_expression(text: str) -> None:
    """The models read `tokens`, a whitespace split with the expression only for pieces that
    are not all letters: on any text (Urdu, digits, emoji, marks, odd spaces) it gives the
    very tokens `_TOKEN.findall` gives, so a model scores what it was trained on."""
    from moderation.domain.detector import _TOKEN, tokens

    assert tokens(text) == _TOKEN.findall(text)


def test_the_fast_tokeniser_on_mixed_text() -> None:
    from moderation.domain.detector import tokens

    assert tokens("ammi!! mujhe 20 tablets\u200b chahiye 😂 کیا") == [
        "ammi", "!", "!", "mujhe", "20", "tablets", "\u200b", "chahiye", "😂", "کیا"]


def _plain_decision(model: dict, text: str) -> float:
    """The model's log-odds computed the long way, from the file's own lists: each feature's
    column found by name, tf times `a` and tf times idf² summed per block."""
    import math
    from collections import Counter

    from moderation.domain.detector import char_features, idf_of, tokens, word_features
    from moderation.domain.normalize import normalize

    toks = tokens(normalize(text).text)
    z = float(model["intercept"])
    for name, feats in (("char", char_features(toks)), ("word", word_features(toks))):
        block = model[name]
        column = {term: i for i, term in enumerate(block["vocab"])}
        a = q = 0.0
        for term, tf in Counter(feats).items():
            i = column.get(term)
            if i is not None:
                a += tf * block["a"][i]
                q += tf * idf_of(block["df"][i], block["n_docs"]) ** 2
        if q:
            z += a / math.sqrt(q)
    return z


@pytest.mark.parametrize("which", ["crisis", "plain"])
def test_compact_columns_score_as_the_plain_features(which: str) -> None:
    """The scorer holds its columns compactly (an automaton for character n-grams, packed values
    for words and token pairs): it must give the log-odds of the plain feature sums, to float
    rounding, on the shipped crisis model and on a freshly fitted one, for repeated words,
    bigrams, Urdu, digits and symbols alike, with a cold and a warm word cache."""
    import json

    from moderation.domain.detector import CRISIS_MODEL_PATH
    from moderation.domain.normalize import normalize

    if which == "crisis":
        model = json.loads(CRISIS_MODEL_PATH.read_text(encoding="utf-8"))
    else:
        texts, labels = zip(*SAMPLE, strict=True)
        model = T.fit_plain(texts, labels, epochs=5)
    det = AbuseDetector(model)
    texts = [text for text, _ in SAMPLE] + [
        "", "😂😂 !!", "main main main marna chahti hoon", "I want to die, I want to die",
        "mujhe 20 tablets chahiye", "اس نے مجھے گالی دی، گالی دی", "tum tum bohat ganday ho ho",
    ]
    for _ in range(2):
        for text in texts:
            assert abs(det.decision(normalize(text).text) - _plain_decision(model, text)) < 1e-9
