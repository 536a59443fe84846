"""Password hashing with Argon2id.

Production uses argon2-cffi's defaults (RFC 9106's low-memory profile). The cost parameters are a
setting (`PASSWORD_HASH_PARAMETERS`): operators may raise them for their hardware, and the test
suite lowers them, since it logs in hundreds of times. Verification always uses the parameters
stored in the hash itself; a hash made with other parameters is upgraded at the next login.
"""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

_DEFAULT = PasswordHasher()


def _hasher() -> PasswordHasher:
    if has_app_context():
        return current_app.extensions.get("meldroute.password_hasher", _DEFAULT)
    return _DEFAULT


def make_hasher(parameters: dict | None) -> PasswordHasher:
    return PasswordHasher(**parameters) if parameters else _DEFAULT


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    # Without an account a dummy hash is verified, so a login takes as long either way.
    candidate = password_hash or _dummy_hash(hasher)
    try:
        return hasher.verify(candidate, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_dummy_hashes: dict[tuple, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash("meldroute-timing-equaliser")
    return _dummy_hashes[key]


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
