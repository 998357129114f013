"""Tests for forum.identity.handles: validity, the uniqueness key (TR39 skeleton) and reserved names."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forum.identity.handles import handle_key, is_reserved, normalize_handle, skeleton, validate_handle


@pytest.mark.parametrize(
    "handle",
    ["ayesha", "Ayesha_92", "عائشہ_92", "فاطمہ", "زینب_خان", "sara", "x_y", "۱۲۳abc", "अनीता",
     "Zoë", "a" * 32, "123", "مریم۲۰۲۴"],
)
def test_valid_handles(handle: str) -> None:
    assert validate_handle(handle) == []


@pytest.mark.parametrize(
    ("handle", "fragment"),
    [
        ("ab", "at least 3"),
        ("", "at least 3"),
        ("a" * 33, "at most 32"),
        ("ayesha khan", "spaces"),
        ("ayesha.khan", "only letters"),
        ("ayesha-khan", "only letters"),
        ("ayesha@x", "only letters"),
        ("sara😀", "only letters"),
        ("sara\u200bkhan", "only letters"),  # zero-width space
        ("sara\u202ekhan", "only letters"),  # right-to-left override
        ("___", "letter or digit"),
        ("\u0301abc", "must follow a letter"),
        ("za\u0301\u0301\u0301\u0301lgo", "must follow a letter"),
    ],
)
def test_invalid_handles(handle: str, fragment: str) -> None:
    problems = validate_handle(handle)
    assert problems, handle
    assert any(fragment in problem for problem in problems), problems


def test_length_counts_nfc_characters() -> None:
    decomposed = "e\u0301" * 3  # three é typed as e + combining acute
    assert normalize_handle(decomposed) == "é" * 3
    assert validate_handle(decomposed) == []
    assert validate_handle("é" * 32) == []


def test_case_and_script_confusables_share_a_key() -> None:
    keys = {handle_key(h) for h in ["ayesha", "AYESHA", "Ayesha", "\u0430yesha", "ayesh\u0430",
                                    "\uff41yesha"]}
    assert len(keys) == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ayesha", "\u0430y\u0435sha"),      # Cyrillic а and е
        ("paypal", "\u0440\u0430yp\u0430l"),  # Cyrillic р and а
        ("sana", "\u0455\u0430n\u0430"),      # Cyrillic ѕ and а
        ("zoya", "z\u03bfya"),                # Greek omicron
        ("noor", "n\u03bf\u03bfr"),
        ("maria", "rnaria"),                  # m / rn
        ("bilal", "bi1al"),                   # l / 1
        ("ali_92", "\u0430li_92"),
        ("fatima", "FATIMA"),
    ],
)
def test_mixed_script_confusable_pairs_collide(first: str, second: str) -> None:
    assert first != second
    assert handle_key(first) == handle_key(second)


def test_urdu_confusables_collide() -> None:
    # Arabic heh, Urdu heh goal and heh doachashmee look alike at the end of a word.
    assert handle_key("عائشہ") == handle_key("عائشه")
    # Arabic yeh and Farsi yeh.
    assert handle_key("علي") == handle_key("علی")
    # Arabic-Indic and extended (Urdu) digits.
    assert handle_key("sara_\u0661") == handle_key("sara_\u06f1")


def test_different_names_keep_different_keys() -> None:
    assert handle_key("ayesha") != handle_key("aisha")
    assert handle_key("sara") != handle_key("sarah")
    assert handle_key("عائشہ_92") != handle_key("فاطمہ_92")


def test_skeleton_drops_invisible_characters() -> None:
    assert skeleton("a\u200db") == skeleton("ab")


@pytest.mark.parametrize(
    "handle",
    ["admin", "ADMIN", "Admin", "\u0410dmin", "Adm1n", "adm1n", "4dmin", "admin_2", "ad_min",
     "moderator", "M0derator", "moderat0r_sara", "Counsellor", "counselor", "saheli",
     "Saheli_Team", "saheli_official", "support", "root", "r00t", "police", "FIA", "nccia",
     "official", "deleted", "anonymous", "null", "undefined", "help", "he1p", "h3lp",
     "helpline_pk", "system", "staff", "team", "security", "سہیلی", "منتظم", "پولیس",
     "ماڈریٹر", "مدد", "گمنام"],
)
def test_reserved(handle: str) -> None:
    assert is_reserved(handle)


@pytest.mark.parametrize(
    "handle",
    ["ayesha", "badminton_girl", "sara_92", "عائشہ_92", "fatima", "helena", "rootless_tree",
     "modern_girl", "supportive_sister", "teamwork_91"],
)
def test_not_reserved(handle: str) -> None:
    assert not is_reserved(handle)


@given(st.text(max_size=40))
def test_functions_never_raise(text: str) -> None:
    assert isinstance(validate_handle(text), list)
    assert isinstance(handle_key(text), str)
    assert isinstance(is_reserved(text), bool)


@given(st.text(alphabet=string.ascii_letters + string.digits + "_", max_size=40))
def test_key_ignores_case(text: str) -> None:
    assert handle_key(text.upper()) == handle_key(text.lower()) == handle_key(text)


# Issue #12: every nonspacing combining mark Unicode knows (a dot below, an acute, harakat...).
_NONSPACING_MARKS = st.characters(categories=["Mn"])


@given(
    base=st.sampled_from(["saima", "ayesha_92", "moderator", "admin", "saheli", "زینب_خان"]),
    mark=_NONSPACING_MARKS,
    where=st.integers(min_value=1, max_value=40),
)
def test_a_combining_mark_never_makes_a_new_handle(base: str, mark: str, where: int) -> None:
    """Appending or inserting any nonspacing mark after a letter of an existing handle or a
    reserved name gives the same key, or a reserved name: it is refused either way."""
    position = min(where, len(base))
    imitation = base[:position] + mark + base[position:]
    assert handle_key(imitation) == handle_key(base)
    if is_reserved(base):
        assert is_reserved(imitation)


@given(mark=_NONSPACING_MARKS, marks=st.integers(min_value=1, max_value=2))
def test_reserved_names_with_marks_are_refused(mark: str, marks: int) -> None:
    for name in ("admin", "moderator", "counsellor", "police"):
        assert is_reserved(name[0] + mark * marks + name[1:])


def test_urdu_handles_keep_distinct_keys_without_their_harakat() -> None:
    assert validate_handle("عائشہ_خان") == [] and not is_reserved("عائشہ_خان")
    assert handle_key("زَینب") == handle_key("زینب")  # an optional zabar is not a new name
    assert handle_key("زینب") != handle_key("مریم")
