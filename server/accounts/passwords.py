"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile)."""

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4
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


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
