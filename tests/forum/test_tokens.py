"""Tests for forum.identity.tokens: bearer tokens and recovery codes."""

from __future__ import annotations

import hashlib
import math
import re

from hypothesis import given
from hypothesis import strategies as st

from forum.identity.tokens import (
    RECOVERY_ALPHABET,
    is_well_formed_recovery_code,
    new_recovery_codes,
    new_token,
    normalize_recovery_code,
    recovery_code_hash,
    token_hash,
)

CODE_SHAPE = re.compile(r"^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$")


def test_new_token_is_random_and_url_safe() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_\-]{43}", token)


def test_token_hash_is_sha256_hex() -> None:
    token = new_token()
    assert token_hash(token) == hashlib.sha256(token.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", token_hash(token))
    assert token_hash(token) != token_hash(new_token())


def test_recovery_codes_shape_and_entropy() -> None:
    codes = new_recovery_codes()
    assert len(codes) == 10
    assert len(set(codes)) == 10
    for code in codes:
        assert CODE_SHAPE.match(code), code
        assert is_well_formed_recovery_code(code)
    assert len(set(RECOVERY_ALPHABET)) == 32
    assert not set(RECOVERY_ALPHABET) & set("ilou")
    bits = 12 * math.log2(len(RECOVERY_ALPHABET))
    assert bits >= 60


def test_recovery_code_count() -> None:
    assert len(new_recovery_codes(3)) == 3
    assert new_recovery_codes(0) == []


def test_recovery_code_hash_ignores_case_dashes_spaces_and_lookalikes() -> None:
    code = "7k2m-q9xd-4h1a"
    expected = recovery_code_hash(code)
    for typed in ["7K2M-Q9XD-4H1A", "7k2m q9xd 4h1a", "7k2mq9xd4h1a", " 7k2m-q9xd-4hla ",
                  "7K2M Q9XD 4HIA", "7k2m--q9xd--4h1a"]:
        assert recovery_code_hash(typed) == expected, typed
    assert recovery_code_hash("0000-0000-0000") == recovery_code_hash("oooo-OOOO-oooo")
    assert recovery_code_hash("7k2m-q9xd-4h1b") != expected


def test_recovery_code_hash_with_key() -> None:
    code = new_recovery_codes(1)[0]
    keyed = recovery_code_hash(code, key=b"secret")
    assert keyed != recovery_code_hash(code)
    assert keyed == recovery_code_hash(code.upper(), key=b"secret")
    assert keyed != recovery_code_hash(code, key=b"other")
    assert re.fullmatch(r"[0-9a-f]{64}", keyed)


def test_malformed_codes() -> None:
    assert not is_well_formed_recovery_code("")
    assert not is_well_formed_recovery_code("abcd-efgh")
    assert not is_well_formed_recovery_code("abcd-efgh-ijk!")
    assert normalize_recovery_code("AB-cd ef") == "abcdef"


@given(st.text(max_size=50))
def test_hashing_never_raises(text: str) -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", recovery_code_hash(text))
    assert isinstance(is_well_formed_recovery_code(text), bool)
