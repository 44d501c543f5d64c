"""Login throttling that slows an attacker without locking the real user out.

Failures are counted per (account, address) and per address. Past the free
failures, each further one doubles the wait (1 s, 2 s, 4 s ... at most 15 min).
Keying the account count by address means an attacker elsewhere cannot lock the
real user out; the per-address limit is high because carrier NAT puts many phones
behind one address. A successful login clears its (account, address) failures.
"""

from __future__ import annotations

from datetime import timedelta

from server.accounts.tables import LoginFailure
from server.lib import clock, db
from server.lib.errors import TooManyAttempts
from server.settings import Settings

MAX_WAIT_S = 15 * 60


def _wait(failures: int, free: int) -> int:
    if failures < free:
        return 0
    return min(2 ** (failures - free), MAX_WAIT_S)


async def reserve(settings: Settings, username: str, address: str) -> None:
    """Count this attempt before its password is checked, or raise TooManyAttempts when it must wait.
    The count and the new row are one transaction, one at a time per address: 40 attempts sent at
    once see each other (a row counts as a failure until ``succeeded`` removes it)."""
    now = clock.now()
    since = now - timedelta(minutes=settings.login_window_minutes)
    async with db.write():
        await db.lock_key(f"login:{address}")
        await LoginFailure.delete().where(LoginFailure.at < since)
        pair = (
            await LoginFailure.select(LoginFailure.at)
            .where((LoginFailure.username == username) & (LoginFailure.address == address) & (LoginFailure.at > since))
            .order_by(LoginFailure.at, ascending=False)
        )
        by_address = (
            await LoginFailure.select(LoginFailure.at)
            .where((LoginFailure.address == address) & (LoginFailure.at > since))
            .order_by(LoginFailure.at, ascending=False)
            .limit(1)
        )
        count_address = await LoginFailure.count().where((LoginFailure.address == address) & (LoginFailure.at > since))
        for count, free, last in (
            (len(pair), settings.login_free_failures, pair[0]["at"] if pair else None),
            (count_address, settings.login_address_failures, by_address[0]["at"] if by_address else None),
        ):
            wait = _wait(count, free)
            if wait and last is not None:
                remaining = (clock.aware(last) + timedelta(seconds=wait) - now).total_seconds()
                if remaining > 0:
                    raise TooManyAttempts(int(remaining + 0.999))
        await LoginFailure.insert(LoginFailure(username=username, address=address, at=now))


async def succeeded(username: str, address: str) -> None:
    async with db.write():
        await LoginFailure.delete().where((LoginFailure.username == username) & (LoginFailure.address == address))
