"""Normalisation: evasions fold to the word they hide, idempotently, with offsets back."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.domain.normalize import normalize


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("KILL", "kill"),
        ("k.i.l.l", "kill"),
        ("k i l l", "kill"),
        ("k-i-l-l", "kill"),
        ("k_i_l_l", "kill"),
        ("K.I.L.L u", "kill u"),
        ("k1ll", "kill"),
        ("a$$hole", "asshole"),
        ("@ss", "ass"),
        ("sh!t", "shit"),
        ("kiiiiill", "kiill"),
        ("ki\u200bll", "kill"),  # zero-width space
        ("ki\u202ell", "kill"),  # bidi override
        ("k\u0456ll", "kill"),  # Cyrillic і
        ("\U0001d424\U0001d422\U0001d425\U0001d425", "kill"),  # mathematical bold
        ("Ｋｉｌｌ", "kill"),  # fullwidth
        ("kíll", "kill"),
        ("ﬁre", "fire"),
    ],
)
def test_evasions_fold_to_the_plain_word(text: str, folded: str) -> None:
    assert normalize(text).text == folded


def test_numbers_and_punctuation_are_not_leetspeak() -> None:
    assert normalize("I paid 455 rupees!").text == "i paid 455 rupees!"
    assert normalize("+92 300").text == "+92 300"
    assert normalize("hi!").text == "hi!"


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("\u064a", "\u06cc"),  # Arabic yeh → Urdu ye
        ("\u0649", "\u06cc"),  # alef maksura
        ("\u0643", "\u06a9"),  # Arabic kaf → keheh
        ("\u0647", "\u06c1"),  # Arabic heh → heh goal
        ("\u06be", "\u06c1"),  # do-chashmi he
        ("\u0629", "\u06c1"),  # teh marbuta
    ],
)
def test_urdu_letter_variants_fold_to_one_letter(variant: str, canonical: str) -> None:
    assert normalize(variant).text == canonical


def test_urdu_harakat_and_tatweel_are_removed() -> None:
    assert normalize("کُتّیا").text == normalize("کتیا").text
    assert normalize("بہنـــچود").text == normalize("بہنچود").text


def test_arabic_script_letters_are_not_folded_to_latin() -> None:
    folded = normalize("ہ ه ھ و").text
    assert folded.isascii() is False
    assert "o" not in folded


def test_presentation_forms_fold_to_letters() -> None:
    assert normalize("ﻙﺘﻴﺎ").text == normalize("کتیا").text


def test_offsets_map_back_to_the_original() -> None:
    original = "you K.I.L.L me"
    n = normalize(original)
    start = n.text.index("kill")
    a, b = n.to_original(start, start + 4)
    assert original[a:b] == "K.I.L.L"


def test_offsets_cover_stretched_letters() -> None:
    original = "so kiiiiiill"
    n = normalize(original)
    a, b = n.to_original(3, len(n.text))
    assert original[a:b] == "kiiiiiill"


def test_offsets_through_expanding_characters() -> None:
    original = "ﬁne kіll"
    n = normalize(original)
    start = n.text.index("kill")
    a, b = n.to_original(start, start + 4)
    assert original[a:b] == "kіll"


def test_empty_text() -> None:
    n = normalize("")
    assert n.text == ""
    assert n.to_original(0, 0) == (0, 0)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("kil1! .-_ asKIL@$0ای\u200bہھ")))
def test_idempotent_on_evasion_alphabet(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once


@settings(max_examples=300, deadline=None)
@given(st.text(), st.data())
def test_offsets_stay_inside_the_original(text: str, data: st.DataObject) -> None:
    n = normalize(text)
    if not n.text:
        return
    start = data.draw(st.integers(0, len(n.text) - 1))
    end = data.draw(st.integers(start + 1, len(n.text)))
    a, b = n.to_original(start, end)
    assert 0 <= a <= b <= len(text)
