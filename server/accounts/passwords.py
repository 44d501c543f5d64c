"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile)."""

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

#: argon2id, t=3, m=64 MiB, p=4: what every stored password is hashed with
STRONG = PasswordHasher()
_hasher = STRONG
#: verified against when the user does not exist, so timing does not tell
_DUMMY = _hasher.hash("ducha-dummy-password")

MIN_LENGTH = 10
#: argon2 hashes at once (each ~250 ms of CPU and 64 MiB): in worker threads, never on the event loop,
#: so a burst of logins queues here instead of freezing every other request
HASHING_AT_ONCE = 2
_limiter: anyio.CapacityLimiter | None = None


def _slots() -> anyio.CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(HASHING_AT_ONCE)
    return _limiter


async def check_password(stored: str | None, password: str) -> bool:
    """verify_password off the event loop, at most HASHING_AT_ONCE at a time."""
    return await anyio.to_thread.run_sync(verify_password, stored, password, limiter=_slots())


async def new_hash(password: str) -> str:
    """hash_password off the event loop."""
    return await anyio.to_thread.run_sync(hash_password, password, limiter=_slots())


def cheap_for_tests() -> None:
    """The test suite only: hash with argon2id at its smallest cost (t=1, m=8 KiB, p=1), ~1000x
    cheaper, so a suite that logs in thousands of times spends its time on what it tests. A hash
    carries its own parameters, so checking one made either way works either way; servers and
    commands never call this (tests/accounts/test_passwords.py checks a real process's hashes)."""
    global _hasher, _DUMMY
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    _DUMMY = _hasher.hash("ducha-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
