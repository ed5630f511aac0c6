"""Password hashing (argon2 via pwdlib) and access tokens (JWT via PyJWT)."""

import time
from datetime import UTC, datetime, timedelta

import jwt
from anyio import to_thread
from pwdlib import PasswordHash

_password_hash = PasswordHash.recommended()
# Verified against when the user does not exist, so login takes as long either way.
_DUMMY_HASH = _password_hash.hash("dummy-password-for-timing")


class InvalidTokenError(Exception):
    """The token is malformed, expired, or signed with another key or algorithm."""


async def hash_password(password: str) -> str:
    """Hash a password with argon2, in a worker thread (it is slow on purpose)."""
    return await to_thread.run_sync(_password_hash.hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; with no hash, spend the same time and return False."""
    if password_hash is None:
        await to_thread.run_sync(_password_hash.verify, password, _DUMMY_HASH)
        return False
    return await to_thread.run_sync(_password_hash.verify, password, password_hash)


def create_access_token(
    *,
    subject: str,
    secret_key: str,
    algorithm: str,
    expires_in: timedelta,
) -> str:
    """Sign a token for `subject` that expires after `expires_in`."""
    now = datetime.now(UTC)
    claims = {"sub": subject, "iat": now, "exp": now + expires_in}
    return jwt.encode(claims, secret_key, algorithm=algorithm)


class _VerifiedTokens:
    """Tokens already verified, with their subject and expiry.

    A token's bytes cannot change, so a token seen before needs only its expiry
    compared: the signature check and JSON parsing are skipped. Entries are keyed by
    the key and algorithm too, and nothing enters the cache unverified.
    """

    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], tuple[str, float]] = {}

    def get(self, key: tuple[str, str, str]) -> str | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        subject, expires_at = entry
        if _now() >= expires_at:
            del self._entries[key]
            return None
        return subject

    def put(self, key: tuple[str, str, str], subject: str, expires_at: float) -> None:
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (subject, expires_at)


_verified_tokens = _VerifiedTokens()
_now = time.time


def decode_access_token(token: str, *, secret_key: str, algorithm: str) -> str:
    """Return the token's subject; raise `InvalidTokenError` for any bad token."""
    key = (token, secret_key, algorithm)
    if (subject := _verified_tokens.get(key)) is not None:
        return subject
    try:
        claims = jwt.decode(
            token,
            secret_key,
            algorithms=[algorithm],
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(str(exc)) from exc
    subject = claims["sub"]
    if not isinstance(subject, str):
        raise InvalidTokenError("subject is not a string")
    _verified_tokens.put(key, subject, float(claims["exp"]))
    return subject
