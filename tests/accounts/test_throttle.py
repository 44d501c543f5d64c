"""Login throttling slows an attacker without locking the real user out."""

from datetime import UTC, datetime, timedelta

import pytest

from server.lib import clock
from tests.world import PASSWORD

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


async def _try(client, password, username="inspector"):
    return await client.post("/api/auth/login", json={"username": username, "password": password})


async def test_free_failures_then_backoff_with_retry_after(world):
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    client = await world.client()
    for _ in range(5):
        assert (await _try(client, "wrong")).status_code == 422
    r = await _try(client, PASSWORD)  # even the right password waits now
    assert r.status_code == 429 and r.json()["error"] == "too_many_attempts"
    assert int(r.headers["Retry-After"]) >= 1
    clock.advance(timedelta(seconds=int(r.headers["Retry-After"])))
    assert (await _try(client, PASSWORD)).status_code == 200


async def test_wait_doubles_with_each_failure(world):
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    client = await world.client()
    waits = []
    for _ in range(10):
        r = await _try(client, "wrong")
        if r.status_code == 429:
            wait = int(r.headers["Retry-After"])
            waits.append(wait)
            clock.advance(timedelta(seconds=wait))
    # failures 6..: each wait at least the one before, and they grow
    assert waits == sorted(waits) and waits[-1] > waits[0]


async def test_attacker_elsewhere_does_not_lock_out_the_real_user(world):
    from server.accounts.tables import LoginFailure

    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    await LoginFailure.insert(*[LoginFailure(username="inspector", address="203.0.113.9", at=clock.now()) for _ in range(30)])
    client = await world.client()  # the test client's own address
    assert (await _try(client, PASSWORD)).status_code == 200


async def test_many_accounts_from_one_address_are_slowed(world):
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    client = await world.client()
    for i in range(50):
        await _try(client, "wrong", username=f"guess{i}")
    r = await _try(client, "wrong", username="another")
    assert r.status_code == 429


async def test_success_clears_the_pair_counter(world):
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    client = await world.client()
    for _ in range(4):
        await _try(client, "wrong")
    assert (await _try(client, PASSWORD)).status_code == 200
    for _ in range(5):
        assert (await _try(client, "wrong")).status_code == 422


async def test_forty_wrong_passwords_sent_at_once_are_counted_as_they_come(world):
    """Each attempt is counted before its password is checked, so a burst cannot slip past the count."""
    import asyncio

    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    client = await world.client()
    answers = await asyncio.gather(*[_try(client, f"wrong{i}") for i in range(40)])
    codes = sorted(r.status_code for r in answers)
    assert codes.count(429) >= 35 and set(codes) == {422, 429}, codes
    assert codes.count(422) == 5  # the free failures, no more
