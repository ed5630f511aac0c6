"""Passwords (what is accepted; argon2 hashing via pwdlib) and access tokens (JWT)."""

import asyncio
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from pwdlib import PasswordHash
from pydantic import AfterValidator, Field, WithJsonSchema

from .types import HIDDEN_CHARACTERS

_password_hash = PasswordHash.recommended()
# Verified against when the user does not exist, so login takes as long either way.
_DUMMY_HASH = _password_hash.hash("dummy-password-for-timing")
# Password hashes computed at once. Each argon2 run takes a core and 64 MiB for a
# fraction of a second: a burst of sign-ins queues here (holding no database
# connection) instead of taking every worker thread, the memory and every core; half
# the cores are left to serve other requests. The threads are the process's own, not
# an event loop's: every loop in the process (a server thread beside a test's loop, a
# worker's) shares the queue, and none waits on a wake-up another loop would have to
# send. A caller that gives up (a client gone) drops its queued check.
HASHING_CONCURRENCY = max(1, min((os.cpu_count() or 1) // 2, 4))
_hashing = ThreadPoolExecutor(HASHING_CONCURRENCY, thread_name_prefix="hashing")


# A character that shows: not whitespace, nor one that hides text (core/types.py),
# nor one that shows nothing alone: joiners and direction marks, the combining
# grapheme joiner, Hangul fillers, Khmer and Mongolian invisible vowels and
# selectors, the blank Braille pattern and variation selectors.
VISIBLE_CHARACTER = (
    rf"[^\s{HIDDEN_CHARACTERS}\u200c-\u200f\u034f\u115f\u1160\u17b4\u17b5"
    r"\u180b-\u180d\u2800\u3164\ufe00-\ufe0f\uffa0]"
)
_VISIBLE = re.compile(VISIBLE_CHARACTER)


def _not_blank(value: str) -> str:
    """Refuse a password with nothing visible, which its length would let through."""
    if _VISIBLE.search(value) is None:
        msg = "a password needs a visible character, not only spaces or invisible ones"
        raise ValueError(msg)
    return value


# A password to set: 8 to 128 characters of any kind, with no rules on which kinds
# (NIST SP 800-63B), and one of them visible. The OpenAPI says so (`pattern`).
PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH = 8, 128
NewPassword = Annotated[
    str,
    Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH),
    AfterValidator(_not_blank),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": PASSWORD_MIN_LENGTH,
            "maxLength": PASSWORD_MAX_LENGTH,
            "pattern": VISIBLE_CHARACTER,
        },
    ),
]


class InvalidTokenError(Exception):
    """The token is malformed, expired, or signed with another key or algorithm."""


async def hash_password(password: str) -> str:
    """Hash a password with argon2, in a worker thread (it is slow on purpose).

    At most `HASHING_CONCURRENCY` hashes and checks run at once; the rest wait.
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_hashing, _password_hash.hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; with no hash, spend the same time and return False.

    Queued like `hash_password`, so an unknown user waits as long as a known one.
    """
    loop = asyncio.get_running_loop()
    verify = _password_hash.verify
    if password_hash is None:
        await loop.run_in_executor(_hashing, verify, password, _DUMMY_HASH)
        return False
    return await loop.run_in_executor(_hashing, verify, password, password_hash)


@dataclass(frozen=True, slots=True)
class AccessToken:
    """What a verified token says: whose it is, and the user's token version then."""

    subject: str
    version: int


def create_access_token(
    *,
    subject: str,
    secret_key: str,
    algorithm: str,
    expires_in: timedelta,
    version: int = 0,
) -> str:
    """Sign a token for `subject` at token `version` that expires after `expires_in`.

    The version is the user's `token_version` when the token is issued; raising it
    revokes every earlier token.
    """
    now = datetime.now(UTC)
    claims = {"sub": subject, "ver": version, "iat": now, "exp": now + expires_in}
    return jwt.encode(claims, secret_key, algorithm=algorithm)


class _VerifiedTokens:
    """Tokens already verified, with what they say and their expiry.

    A token's bytes cannot change, so a token seen before needs only its expiry
    compared: the signature check and JSON parsing are skipped. Entries are keyed by
    the key and algorithm too, and nothing enters the cache unverified.
    """

    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], tuple[AccessToken, float]] = {}

    def get(self, key: tuple[str, str, str]) -> AccessToken | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        token, expires_at = entry
        if _now() >= expires_at:
            del self._entries[key]
            return None
        return token

    def put(
        self,
        key: tuple[str, str, str],
        token: AccessToken,
        expires_at: float,
    ) -> None:
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (token, expires_at)


_verified_tokens = _VerifiedTokens()
_now = time.time


def verify_access_token(
    token: str,
    *,
    secret_key: str,
    algorithm: str,
) -> AccessToken:
    """Return what the token says; raise `InvalidTokenError` for any bad token.

    A token without a version (issued before versions existed) is refused: its
    subject may since name another user.
    """
    key = (token, secret_key, algorithm)
    if (verified := _verified_tokens.get(key)) is not None:
        return verified
    try:
        claims = jwt.decode(
            token,
            secret_key,
            algorithms=[algorithm],
            options={"require": ["exp", "iat", "sub", "ver"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(str(exc)) from exc
    subject, version = claims["sub"], claims["ver"]
    if not isinstance(subject, str):
        raise InvalidTokenError("subject is not a string")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidTokenError("version is not an integer")
    verified = AccessToken(subject=subject, version=version)
    _verified_tokens.put(key, verified, float(claims["exp"]))
    return verified


def decode_access_token(token: str, *, secret_key: str, algorithm: str) -> str:
    """Return the token's subject; raise `InvalidTokenError` for any bad token.

    The version is not compared here: to authenticate, use `verify_access_token`
    and compare its version with the user's.
    """
    return verify_access_token(
        token,
        secret_key=secret_key,
        algorithm=algorithm,
    ).subject
