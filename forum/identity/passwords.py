"""Password hashing and password rules.

Accounts on Saheli are pseudonymous: there is no e-mail to reset a password through, and a
harasser who guesses a member's password can read her private support conversations. So:

* passwords are hashed with Argon2id (argon2-cffi). Production cost follows RFC 9106's second
  recommended option (t=3 passes, m=64 MiB, p=4 lanes); `configure` lowers it for tests;
* `verify_and_update` re-hashes on login when the stored hash used older parameters, so a cost
  increase reaches every active account without a migration;
* `password_problems` refuses short passwords, the 10,000 most common ones and passwords built
  on the handle, following NIST SP 800-63B (length and block-list, no composition rules).

Under `forum serve` (gevent, one event loop per process) an Argon2 hash costs tens of
milliseconds of CPU and 64 MiB: run on the loop it would freeze every other request and socket
of the process meanwhile. Hashing and verifying therefore run in a small pool of real threads
whenever gevent has patched the process (argon2-cffi releases the GIL while it hashes), and
inline otherwise (tests, `flask run`, commands).

The common-password list is `forum/data/common_passwords.txt` (source and licence in
`forum/data/README.md`).
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "MAX_LENGTH",
    "MIN_LENGTH",
    "configure",
    "hash_password",
    "is_common",
    "password_problems",
    "verify_and_update",
    "verify_password",
]

MIN_LENGTH = 10
# Argon2 accepts any length, but a megabyte "password" is a denial-of-service, not a secret.
MAX_LENGTH = 1024

# RFC 9106, section 4, second recommended option.
DEFAULT_TIME_COST = 3
DEFAULT_MEMORY_COST = 64 * 1024  # KiB
DEFAULT_PARALLELISM = 4

_hasher = PasswordHasher(
    time_cost=DEFAULT_TIME_COST,
    memory_cost=DEFAULT_MEMORY_COST,
    parallelism=DEFAULT_PARALLELISM,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)


def configure(
    time_cost: int = DEFAULT_TIME_COST,
    memory_cost: int = DEFAULT_MEMORY_COST,
    parallelism: int = DEFAULT_PARALLELISM,
) -> None:
    """Set the Argon2id cost for new hashes (memory in KiB).

    Tests call this with tiny values so the suite stays fast; production keeps the defaults.
    Existing hashes keep verifying whatever the setting; `verify_and_update` upgrades them.
    """
    global _hasher
    _hasher = PasswordHasher(
        time_cost=time_cost,
        memory_cost=memory_cost,
        parallelism=parallelism,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )


#: Threads hashing at once per process: each Argon2 call holds 64 MiB, so a few are enough.
HASHING_THREADS = 2
_pool: dict[int, Any] = {}  # pid -> gevent ThreadPool (a forked child makes its own)
_T = TypeVar("_T")


def _off_the_loop(work: Callable[..., _T], *args: Any) -> _T:
    """Run `work` in a real thread when gevent runs this process, so the loop keeps serving;
    the calling greenlet waits, the others do not."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("threading"):
        return work(*args)
    from gevent.threadpool import ThreadPool

    pool = _pool.get(os.getpid())
    if pool is None:
        pool = _pool[os.getpid()] = ThreadPool(HASHING_THREADS)
    done: _T = pool.apply(work, args)  # gevent's pool is untyped: it returns what work returns
    return done


def _prepare(password: str) -> str:
    """NFC-normalise so that the same password typed on two keyboards (é as one or two code
    points, common with Urdu and accented input methods) verifies."""
    return unicodedata.normalize("NFC", password)


def hash_password(password: str) -> str:
    """Hash `password` with Argon2id at the configured cost; returns the PHC string to store."""
    return _off_the_loop(_hasher.hash, _prepare(password))


def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches `stored_hash`; False for a wrong password or a bad hash.

    Never raises for a mismatch, so callers cannot leak the difference through error paths.
    """
    return _off_the_loop(_verify, _hasher, stored_hash, _prepare(password))


def _verify(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    try:
        return hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def verify_and_update(stored_hash: str, password: str) -> tuple[bool, str | None]:
    """Verify, and when the hash's parameters are outdated return a fresh hash to store.

    Answers `(ok, new_hash_or_None)`; `new_hash` is only ever given when `ok` is True.
    """
    if not verify_password(stored_hash, password):
        return False, None
    try:
        stale = _hasher.check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError):
        stale = True
    return True, (hash_password(password) if stale else None)


@cache
def _common_passwords() -> frozenset[str]:
    """The common-password list, case-folded, loaded once on first use."""
    text = resources.files("forum.data").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line.strip()
    )


def is_common(password: str) -> bool:
    """True when `password` is on the common-password list (case-insensitive)."""
    return _prepare(password).strip().casefold() in _common_passwords()


def password_problems(password: str, handle: str | None = None) -> list[str]:
    """Human-readable reasons to refuse `password` (empty when it is acceptable).

    Checks: at least 10 characters (at most 1,024), not one of the 10,000 most common
    passwords, and not equal to or containing the member's handle. No rules about digits or
    symbols: they push people to `Password1!`, and a long phrase in any language is better.
    """
    if not isinstance(password, str):
        return ["The password must be text."]
    problems: list[str] = []
    value = _prepare(password)
    if len(value) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters; a short phrase is easy to remember.")
    if len(value) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    if is_common(value):
        problems.append("This password is one of the most common ones; choose another.")
    if handle:
        folded_handle = unicodedata.normalize("NFKC", handle).casefold()
        folded_password = unicodedata.normalize("NFKC", value).casefold()
        if folded_handle and folded_handle in folded_password:
            problems.append("The password must not contain your handle.")
    return problems
