"""Detectors: personal information, links from new accounts, flooding, crisis phrases."""

from __future__ import annotations

import pytest

from moderation.domain.detectors import (
    detect_flood,
    detect_new_account_link,
    detect_personal_info,
    load_crisis_rules,
)


def codes(reasons: list) -> list[str]:
    return [r.code for r in reasons]


@pytest.mark.parametrize(
    "text",
    [
        "call me 0300-1234567",
        "03001234567",
        "+92 300 1234567",
        "0092 300 1234567",
        "+923001234567",
        "0321 123 4567",
        "0 3 0 0 1 2 3 4 5 6 7",
        "نمبر ۰۳۰۰۱۲۳۴۵۶۷ ہے",
    ],
)
def test_pakistani_mobile_numbers_are_held(text: str) -> None:
    reasons = detect_personal_info(text)
    assert codes(reasons) == ["personal_info:phone"]
    assert reasons[0].action == "hold"


@pytest.mark.parametrize("text", ["35202-1234567-1", "cnic 3520212345671"])
def test_cnic_numbers_are_held(text: str) -> None:
    assert codes(detect_personal_info(text)) == ["personal_info:cnic"]


@pytest.mark.parametrize("text", ["write to sara.k@gmail.com", "sara at gmail dot com"])
def test_email_addresses_are_held(text: str) -> None:
    assert codes(detect_personal_info(text)) == ["personal_info:email"]


@pytest.mark.parametrize(
    "text",
    ["I paid 1500 rupees", "it happened in 2023 and 2024", "room 12, 3pm", "helpline 1099", ""],
)
def test_ordinary_numbers_pass(text: str) -> None:
    assert detect_personal_info(text) == []


def test_links_from_new_accounts_are_held() -> None:
    text = "see www.example.com/free"
    assert codes(detect_new_account_link(text, 3600, 86400)) == ["new_account_link"]
    assert detect_new_account_link(text, 90000, 86400) == []
    assert detect_new_account_link(text, None, 86400) == []
    assert detect_new_account_link("no link here", 10, 86400) == []


def test_repeated_text_is_a_flood() -> None:
    text = "Join my channel for free followers now"
    assert detect_flood(text, (text,), (), None) == []
    assert codes(detect_flood(text, (text, "JOIN my channel for free followers now!!"), (), None)) == [
        "flood:repeat"
    ]


def test_short_repeats_are_not_a_flood() -> None:
    assert detect_flood("thanks", ("thanks", "thanks", "thanks"), (), None) == []


def test_many_replies_to_one_member_are_a_flood() -> None:
    assert codes(detect_flood("hi", (), (7, 7, 7, 7, 7), 7)) == ["flood:target"]
    assert detect_flood("hi", (), (7, 7, 8, 9), 7) == []
    assert detect_flood("hi", (), (7, 7, 7, 7, 7), None) == []


def test_crisis_rules_cover_three_languages_and_never_block() -> None:
    rules = load_crisis_rules()
    assert {r.language for r in rules} == {"en", "ur", "roman_ur"}
    assert {r.action for r in rules} == {"crisis"}
