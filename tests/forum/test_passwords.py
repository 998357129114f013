"""Tests for forum.identity.passwords: Argon2id hashing, rehash on login, and the password rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from forum.identity import passwords
from forum.identity.passwords import (
    configure,
    hash_password,
    is_common,
    password_problems,
    verify_and_update,
    verify_password,
)

FAST = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture(autouse=True)
def fast_hashing() -> Iterator[None]:
    """Tiny Argon2 costs so the suite is fast; whatever was configured before is restored."""
    previous = passwords._hasher
    configure(**FAST)
    yield
    passwords._hasher = previous


def test_hash_is_argon2id_and_salted() -> None:
    first = hash_password("a long passphrase")
    second = hash_password("a long passphrase")
    assert first.startswith("$argon2id$")
    assert first != second
    assert "a long passphrase" not in first


def test_verify() -> None:
    stored = hash_password("meri saheli ka password")
    assert verify_password(stored, "meri saheli ka password")
    assert not verify_password(stored, "meri saheli ka Password")
    assert not verify_password(stored, "")
    assert not verify_password("not a hash", "anything")
    assert not verify_password("", "anything")


def test_verify_normalises_unicode() -> None:
    stored = hash_password("caf\u00e9 \u0639\u0627\u0626\u0634\u06c1")
    assert verify_password(stored, "cafe\u0301 \u0639\u0627\u0626\u0634\u06c1")


def test_verify_and_update_keeps_current_hash() -> None:
    stored = hash_password("correct horse battery")
    assert verify_and_update(stored, "correct horse battery") == (True, None)
    assert verify_and_update(stored, "wrong horse battery") == (False, None)


def test_verify_and_update_rehashes_outdated_parameters() -> None:
    stored = hash_password("correct horse battery")
    configure(time_cost=2, memory_cost=16, parallelism=1)
    ok, new_hash = verify_and_update(stored, "correct horse battery")
    assert ok
    assert new_hash is not None and new_hash != stored
    assert "t=2" in new_hash and "m=16" in new_hash
    assert verify_password(new_hash, "correct horse battery")
    assert verify_and_update(new_hash, "correct horse battery") == (True, None)
    assert verify_and_update(stored, "wrong") == (False, None)


def test_production_defaults_follow_rfc_9106() -> None:
    configure()
    hasher = passwords._hasher
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (3, 65536, 4)


def test_common_list_is_loaded_once_and_large() -> None:
    common = passwords._common_passwords()
    assert len(common) >= 9900
    assert passwords._common_passwords() is common
    assert "password" in common and "123456" in common


@pytest.mark.parametrize("password", ["password", "PASSWORD", "Password1", "qwerty123",
                                      "1234567890", "iloveyou", "Pakistan"])
def test_common_passwords_are_refused(password: str) -> None:
    assert is_common(password)
    assert any("common" in p for p in password_problems(password))


def test_short_password() -> None:
    problems = password_problems("x7#Qp!2")
    assert any("at least 10" in p for p in problems)


def test_overlong_password() -> None:
    assert any("at most" in p for p in password_problems("a" * 1025))


def test_password_containing_handle() -> None:
    assert any("handle" in p for p in password_problems("ayesha_92", handle="ayesha_92"))
    assert any("handle" in p for p in password_problems("my name is AYESHA_92!",
                                                        handle="Ayesha_92"))
    assert any("handle" in p for p in password_problems("\u0639\u0627\u0626\u0634\u06c1 "
                                                        "meri pyari", handle="عائشہ"))
    assert password_problems("my name is not here at all", handle="ayesha_92") == []


@pytest.mark.parametrize("password", ["correct horse battery staple",
                                      "mujhe chai bohat pasand hai",
                                      "\u0645\u06cc\u0631\u06cc \u0633\u06c1\u06cc\u0644\u06cc "
                                      "\u06a9\u06cc \u0686\u0627\u0626\u06d2",
                                      "Tr0ub4dor&3xyz"])
def test_good_passwords(password: str) -> None:
    assert password_problems(password, handle="sara") == []


def test_non_string_password() -> None:
    assert password_problems(None) != []  # type: ignore[arg-type]
