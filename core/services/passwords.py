from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the e-mail is unknown, so a wrong address costs
    as much time as a wrong password and does not reveal which accounts
    exist. Made at the first sign-in, not at import: every command and
    server start would pay a tenth of a second for it."""
    return hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(_hasher), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
