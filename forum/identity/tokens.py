"""Session tokens and account-recovery codes.

Saheli has no e-mail or phone number to recover an account through (members stay
pseudonymous), so registration hands out ten single-use recovery codes, shown once.

* API tokens are 256 random bits (`secrets.token_urlsafe(32)`); only their SHA-256 is stored,
  so a leaked database does not let anyone log in. A slow hash would add nothing: nobody can
  guess 256 random bits, fast or slow.
* Recovery codes are meant to be written on paper and typed on a phone, so they use a
  lower-case Crockford base-32 alphabet without i, l, o, u (12 characters, 60 bits, shown as
  `xxxx-xxxx-xxxx`). When read back, case, spaces and dashes are ignored and the look-alikes
  i/l → 1 and o → 0 are accepted.
* Recovery codes are hashed with SHA-256, domain-separated, or HMAC-SHA-256 when the caller
  passes a key (use the forum's secret key). 60 random bits make an offline search of a plain
  SHA-256 expensive but not impossible for a determined attacker holding a database dump;
  the key makes a stolen database alone useless, at no cost per login, unlike Argon2.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = [
    "RECOVERY_ALPHABET",
    "is_well_formed_recovery_code",
    "new_recovery_codes",
    "new_token",
    "normalize_recovery_code",
    "recovery_code_hash",
    "token_hash",
]

# Crockford's base 32, lower case: digits and letters without i, l, o, u.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_GROUPS = 3
_GROUP_LENGTH = 4
_CODE_LENGTH = _GROUPS * _GROUP_LENGTH  # 12 characters x 5 bits = 60 bits
_LOOKALIKES = str.maketrans({"i": "1", "l": "1", "o": "0"})
_DOMAIN = b"saheli-recovery-code-v1:"


def new_token() -> str:
    """A fresh bearer token: 32 random bytes, URL-safe base 64 (43 characters)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 hex of a token: what the database stores and looks tokens up by."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_recovery_codes(n: int = 10) -> list[str]:
    """`n` distinct recovery codes such as `7k2m-q9xd-4hfa` (60 random bits each)."""
    if n < 0:
        raise ValueError("n must not be negative")
    codes: list[str] = []
    while len(codes) < n:
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(_CODE_LENGTH))
        code = "-".join(
            raw[i : i + _GROUP_LENGTH] for i in range(0, _CODE_LENGTH, _GROUP_LENGTH)
        )
        if code not in codes:
            codes.append(code)
    return codes


def normalize_recovery_code(code: str) -> str:
    """The canonical form of a typed code: lower case, no spaces or dashes, i/l→1, o→0."""
    kept = "".join(char for char in code.strip().lower() if char not in " -_\t\u00a0")
    return kept.translate(_LOOKALIKES)


def is_well_formed_recovery_code(code: str) -> bool:
    """True when `code`, once normalised, has the shape of a recovery code (no hashing needed
    to reject typos or junk early)."""
    value = normalize_recovery_code(code)
    return len(value) == _CODE_LENGTH and all(char in RECOVERY_ALPHABET for char in value)


def recovery_code_hash(code: str, key: bytes | None = None) -> str:
    """Hex digest to store for a recovery code and to look a typed code up by.

    Without `key`: SHA-256 of a domain prefix and the normalised code. With `key`:
    HMAC-SHA-256 under that key (recommended: derive it from the forum's secret key).
    """
    value = normalize_recovery_code(code).encode("ascii", errors="replace")
    if key is not None:
        return hmac.new(key, _DOMAIN + value, hashlib.sha256).hexdigest()
    return hashlib.sha256(_DOMAIN + value).hexdigest()
