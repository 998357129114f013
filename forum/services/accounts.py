"""Accounts: register, sign in, recover, sign out, roles and the second factor.

Pseudonymous by design: a handle and a password, recovery codes instead of e-mail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from typing import NamedTuple

import pyotp
from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum.audit import record_action
from forum.db import rows_affected, utcnow
from forum.errors import Conflict, Forbidden, Invalid, NotFound, TotpRequired, Unauthorized
from forum.identity import handles, passwords, tokens
from forum.models.user import AuthToken, RecoveryCode, Role, User
from forum.policy import Actor, Permission
from forum.signals import account_signed_out
from forum.standing import assert_may_sign_in, revoke_all_tokens

RECOVERY_CODE_COUNT = 10

#: Key of the recovery-code HMAC, derived from FORUM_SECRET_KEY by `configure`. Keyed, so a
#: stolen database alone cannot be searched for the 60-bit codes.
_recovery_key: list[bytes] = []


def configure(secret_key: str) -> None:
    """Derive the recovery-code key from the forum's secret (called by `create_app`)."""
    _recovery_key[:] = [hashlib.sha256(f"saheli:recovery:{secret_key}".encode()).digest()]


def _code_hash(code: str) -> str:
    return tokens.recovery_code_hash(code, _recovery_key[0] if _recovery_key else None)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A successful registration, login or recovery: the plain token is shown once."""

    user: User
    token: str
    token_id: int
    recovery_codes: tuple[str, ...] = ()


def _check_new_credentials(handle: str, password: str) -> None:
    errors: dict[str, list[str]] = {}
    handle_problems = handles.validate_handle(handle)
    if not handle_problems and handles.is_reserved(handle):
        handle_problems = ["This handle is reserved. Please choose another."]
    if handle_problems:
        errors["handle"] = handle_problems
    password_problems = passwords.password_problems(password, handle=handle)
    if password_problems:
        errors["password"] = password_problems
    if errors:
        raise Invalid(errors)


def issue_token(
    session: Session, user: User, *, kind: str, lifetime: dt.timedelta, label: str | None = None
) -> tuple[str, AuthToken]:
    """Create a bearer token or browser session; only its hash is stored."""
    secret = tokens.new_token()
    row = AuthToken(
        user_id=user.id,
        token_hash=tokens.token_hash(secret),
        kind=kind,
        label=label,
        expires_at=utcnow() + lifetime,
    )
    session.add(row)
    session.flush()
    return secret, row


def _new_recovery_codes(session: Session, user: User) -> tuple[str, ...]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = tokens.new_recovery_codes(RECOVERY_CODE_COUNT)
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(code)))
    return tuple(codes)


def create_account(
    session: Session,
    *,
    handle: str,
    password: str,
    role: Role = Role.MEMBER,
    network_fingerprint: str | None = None,
) -> User:
    """Create an account after checking the handle and password rules; 409 if taken."""
    _check_new_credentials(handle, password)
    key = handles.handle_key(handle)
    if session.scalar(select(User.id).where(User.handle_key == key)) is not None:
        raise Conflict("That handle (or one that looks just like it) is taken.")
    user = User(
        handle=handle,
        handle_key=key,
        password_hash=passwords.hash_password(password),
        role=role.value,
        network_fingerprint=network_fingerprint,
    )
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise Conflict("That handle (or one that looks just like it) is taken.") from exc
    return user


def register(
    session: Session,
    *,
    handle: str,
    password: str,
    lifetime: dt.timedelta,
    network_fingerprint: str | None = None,
    kind: str = "bearer",
) -> SignedIn:
    """Register a member, sign her in, and hand out ten recovery codes (shown once)."""
    user = create_account(
        session, handle=handle, password=password, network_fingerprint=network_fingerprint
    )
    codes = _new_recovery_codes(session, user)
    secret, row = issue_token(session, user, kind=kind, lifetime=lifetime)
    return SignedIn(user=user, token=secret, token_id=row.id, recovery_codes=codes)


def _find_by_handle(session: Session, handle: str) -> User | None:
    try:
        key = handles.handle_key(handle)
    except Exception:  # noqa: BLE001 - any odd input simply matches nobody
        return None
    found = session.scalar(select(User).where(User.handle_key == key))
    if found is not None and found.handle != handle:
        # Migration 0002 left an account registered before combining marks were folded with
        # its old key when the new one was taken: she still signs in by her exact handle.
        exact = session.scalar(select(User).where(User.handle == handle, User.handle_key != key))
        if exact is not None:
            return exact
    return found


_DUMMY_HASH: list[str] = []


def _spend_as_long_as_a_check(password: str) -> None:
    """Verify against a throwaway hash so an unknown handle takes as long as a wrong password."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(passwords.hash_password(tokens.new_token()))
    passwords.verify_and_update(_DUMMY_HASH[0], password)


def _check_totp(session: Session, user: User, code: str | None) -> None:
    if not user.totp_enrolled:
        return
    if not code:
        raise TotpRequired("Enter the 6-digit code from your authenticator app.", at_login=True)
    step = _verify_totp(user, code)
    if step is None:
        raise TotpRequired("That code is not right. Try the current one.", at_login=True)
    user.totp_last_step = step


def _verify_totp(user: User, code: str) -> int | None:
    """The time step the code belongs to, if valid now (±1 step) and not used before."""
    return _verify_code(user.totp_secret, code, user.totp_last_step)


def _verify_code(secret: str | None, code: str, last_step: int | None) -> int | None:
    """The time step of `code` for `secret`, if valid now (±1 step) and after `last_step`."""
    if secret is None or not isinstance(code, str):
        return None
    code = "".join(ch for ch in code if ch.isdigit())
    totp = pyotp.TOTP(secret)
    now = int(time.time())
    for offset in (0, -1, 1):
        step = now // 30 + offset
        if totp.at(step * 30) == code and (last_step or -1) < step:
            return step
    return None


def authenticate(
    session: Session, *, handle: str, password: str, totp: str | None = None,
    check_totp: bool = False,
) -> User:
    """The account these credentials belong to, whatever its standing (a suspended member
    still proves who she is to appeal). The same error for a wrong handle as for a wrong
    password, so handles cannot be probed; with `check_totp`, an enrolled account needs a
    current code too."""
    user = _find_by_handle(session, handle)
    if user is None:
        _spend_as_long_as_a_check(password)
        raise Unauthorized("That handle and password do not match.")
    ok, new_hash = passwords.verify_and_update(user.password_hash, password)
    if not ok:
        raise Unauthorized("That handle and password do not match.")
    if new_hash:
        user.password_hash = new_hash
    if check_totp:
        _check_totp(session, user, totp)
    return user


def login(
    session: Session,
    *,
    handle: str,
    password: str,
    totp: str | None,
    lifetime: dt.timedelta,
    kind: str = "bearer",
    network_fingerprint: str | None = None,
) -> SignedIn:
    """Sign in by handle and password (and TOTP when enrolled); the same error for a wrong
    handle as for a wrong password, so handles cannot be probed."""
    user = authenticate(session, handle=handle, password=password)
    assert_may_sign_in(session, user)
    _check_totp(session, user, totp)
    if network_fingerprint is not None and user.network_fingerprint != network_fingerprint:
        user.network_fingerprint = network_fingerprint  # the latest network, for ban evasion
    secret, row = issue_token(session, user, kind=kind, lifetime=lifetime)
    return SignedIn(user=user, token=secret, token_id=row.id)


def recover(
    session: Session,
    *,
    handle: str,
    recovery_code: str,
    new_password: str,
    lifetime: dt.timedelta,
    totp: str | None = None,
    kind: str = "bearer",
) -> SignedIn:
    """Set a new password with a single-use recovery code; every old session is signed out.

    A recovery code replaces the password, not the second factor: an enrolled account also
    needs a current `totp` (401 `totp_required`), and the code is not spent without one."""
    user = _find_by_handle(session, handle)
    wrong = Unauthorized("That handle and recovery code do not match.")
    if user is None:
        raise wrong
    wanted = _code_hash(recovery_code)
    code = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == wanted,
            RecoveryCode.used_at.is_(None),
        )
    )
    if code is None:
        raise wrong
    problems = passwords.password_problems(new_password, handle=user.handle)
    if problems:
        raise Invalid({"new_password": problems})
    assert_may_sign_in(session, user)
    _check_totp(session, user, totp)
    code.used_at = utcnow()
    user.password_hash = passwords.hash_password(new_password)
    revoke_all_tokens(session, user.id)
    secret, row = issue_token(session, user, kind=kind, lifetime=lifetime)
    return SignedIn(user=user, token=secret, token_id=row.id)


def regenerate_recovery_codes(session: Session, user: User, *, password: str | None) -> tuple[str, ...]:
    """Replace every recovery code with ten new ones (the old ones stop working).

    Needs the password: with a token alone, a thief would mint codes of her own and keep the
    account for good after the token is revoked (issue #12)."""
    _require_password(user, password, "Enter your password to make new recovery codes.")
    return _new_recovery_codes(session, user)


def _require_password(user: User, password: str | None, missing: str) -> None:
    """403 `forbidden` unless `password` is the account's (said plainly: she is signed in)."""
    if not password or not isinstance(password, str):
        raise Forbidden(missing)
    if not passwords.verify_password(user.password_hash, password):
        raise Forbidden("That password is not right.")


class TokenRef(NamedTuple):
    """The token row a request was authenticated with: its id and expiry."""

    id: int
    expires_at: dt.datetime


# Built once: every authenticated request runs it, and a reused statement costs SQLAlchemy no
# construction and no compilation (its cache key is memoised).
_TOKEN_LOOKUP = (
    select(User, AuthToken.id, AuthToken.expires_at)
    .join(AuthToken, AuthToken.user_id == User.id)
    .where(AuthToken.token_hash == bindparam("token_hash"), AuthToken.kind == bindparam("kind"))
)


def resolve_token(session: Session, secret: str, kind: str) -> tuple[User, TokenRef] | None:
    """The user behind a bearer token or session secret, if it exists and has not expired."""
    if not secret or len(secret) > 200:
        return None
    row = session.execute(
        _TOKEN_LOOKUP, {"token_hash": tokens.token_hash(secret), "kind": kind}
    ).first()
    if row is None:
        return None
    user, token_id, expires_at = row
    if expires_at <= utcnow():
        return None
    return user, TokenRef(token_id, expires_at)


def revoke_token(session: Session, token_id: int) -> None:
    """Sign out one token or session."""
    session.execute(delete(AuthToken).where(AuthToken.id == token_id))


def set_role(session: Session, actor: Actor, user_id: int, role: str) -> User:
    """Admins change roles; the change is audited."""
    actor.require(Permission.USER_ROLE_EDIT)
    try:
        new_role = Role(role)
    except ValueError as exc:
        raise Invalid({"role": [f"Must be one of {', '.join(r.value for r in Role)}."]}) from exc
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    old = user.role
    user.role = new_role.value
    record_action(session, actor, "user.role", "user", user.id, old=old, new=new_role.value)
    return user


def totp_uri(user: User, secret: str) -> str:
    """The `otpauth://` address an authenticator app reads (as a QR code or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.handle, issuer_name="Saheli")


def start_totp(
    session: Session, user: User, *, code: str | None = None, password: str | None = None
) -> tuple[str, str]:
    """Begin TOTP enrolment (RFC 6238, 30 s, 6 digits): a pending secret until confirmed.

    An enrolled second factor is never weakened by a token alone: re-enrolling needs a current
    `code` of the enrolled app or the `password` (403 `totp_required` otherwise), and the
    enrolled secret stays in force until the new one is confirmed."""
    if user.totp_enrolled:
        step = _verify_totp(user, code) if code else None
        if step is not None:
            user.totp_last_step = step
        elif password and passwords.verify_password(user.password_hash, password):
            pass
        elif code or password:
            raise TotpRequired("That code or password is not right; the authenticator app "
                               "you have stays in use.")
        else:
            raise TotpRequired("A second factor is already set up: enter a current code "
                               "from it, or your password, to replace it.")
    secret = pyotp.random_base32()
    user.totp_pending_secret = secret
    return secret, totp_uri(user, secret)


def pending_totp(user: User) -> tuple[str, str] | None:
    """The secret being enrolled and its address, to show again until it is confirmed."""
    if user.totp_pending_secret is None:
        return None
    return user.totp_pending_secret, totp_uri(user, user.totp_pending_secret)


def confirm_totp(session: Session, user: User, code: str) -> None:
    """Finish enrolment with a current code of the new secret; from now on login needs one."""
    secret = user.totp_pending_secret
    if secret is None:
        raise Invalid({"code": ["Start enrolment first (POST /api/v1/me/totp)."]})
    step = _verify_code(secret, code or "", None)  # a fresh secret: no step of it used yet
    if step is None:
        raise Invalid({"code": ["That code is not right. Try the current one."]})
    user.totp_secret = secret
    user.totp_pending_secret = None
    user.totp_last_step = step
    user.totp_enabled_at = utcnow()


def reset_totp(session: Session, actor: Actor, user_id: int) -> User:
    """An admin removes a member's second factor (a lost phone); audited. She enrols again."""
    actor.require(Permission.USER_ROLE_EDIT)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    was_enrolled = user.totp_enrolled
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    record_action(session, actor, "user.totp_reset", "user", user.id, was_enrolled=was_enrolled)
    return user


def change_password(session: Session, user: User, *, current: str | None, new: str,
                    keep_token_id: int | None) -> int:
    """Set a new password after the current one, then sign out every other session and
    token (whoever knew the old password is shut out at once; this browser stays signed in).
    Returns how many were signed out."""
    _require_password(user, current, "Enter your current password.")
    problems = passwords.password_problems(new, handle=user.handle)
    if problems:
        raise Invalid({"new_password": problems})
    user.password_hash = passwords.hash_password(new)
    query = delete(AuthToken).where(AuthToken.user_id == user.id)
    if keep_token_id is not None:
        query = query.where(AuthToken.id != keep_token_id)
    result = session.execute(query)
    account_signed_out.send(user.id)
    session.flush()
    return rows_affected(result)
