"""Growing delays in the database: by the injected clock, counted exactly under
concurrency, forgotten after a quiet spell; and the address counts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.accounts.throttle import Backoff, Counters, client_block
from core.shop import Shop
from tests.clocks import FakeClock

WINDOW = timedelta(seconds=60)
SECOND = timedelta(seconds=1)


def backoff(shop: Shop, clock: FakeClock, free: int = 3) -> Backoff:
    return Backoff(
        shop.store.throttles, free=free, max_delay=10 * SECOND, forget_after=WINDOW, now=clock
    )


async def test_failures_past_the_free_ones_earn_doubling_waits_up_to_the_cap(shop: Shop) -> None:
    clock = FakeClock()
    keys = backoff(shop, clock)
    assert [await keys.claim("k", counted=True) for _ in range(3)] == [None] * 3
    waits = []
    for _ in range(6):
        wait = await keys.claim("k", counted=True)  # too early: refused, not counted
        assert wait is not None
        waits.append(wait)
        clock.moment += timedelta(seconds=wait)
        assert await keys.claim("k", counted=True) is None
    assert waits == [1, 2, 4, 8, 10, 10]


async def test_a_success_clears_and_a_quiet_spell_forgets(shop: Shop) -> None:
    clock = FakeClock()
    keys = backoff(shop, clock)
    for _ in range(3):
        await keys.claim("k", counted=True)
    assert await keys.claim("k", counted=True) == 1
    await keys.clear("k")
    assert await keys.claim("k", counted=True) is None
    for _ in range(2):
        await keys.claim("k", counted=True)
    clock.moment += WINDOW  # an hour of quiet, say
    assert [await keys.claim("k", counted=True) for _ in range(3)] == [None] * 3
    assert await keys.claim("k", counted=True) == 1


async def test_tries_at_once_get_no_more_than_tries_in_turn(shop: Shop) -> None:
    keys = backoff(shop, FakeClock(), free=5)
    for _ in range(3):  # the first write races too
        await shop.store.throttles.delete_many({})
        results = await asyncio.gather(*(keys.claim("k", counted=True) for _ in range(30)))
        assert results.count(None) == 5
        assert results.count(1) == 25


async def test_uncounted_tries_wait_only_once_failures_earned_a_delay(shop: Shop) -> None:
    clock = FakeClock()
    keys = backoff(shop, clock, free=2)
    results = await asyncio.gather(*(keys.claim("k", counted=False) for _ in range(30)))
    assert results == [None] * 30
    await keys.failed("k")
    assert await keys.claim("k", counted=False) is None
    await asyncio.gather(keys.failed("k"), keys.failed("k"))
    assert await keys.claim("k", counted=False) == 2  # three failures: wait 2 s
    clock.moment += 2 * SECOND
    turns = await asyncio.gather(*(keys.claim("k", counted=False) for _ in range(5)))
    assert sorted(turns, key=str) == [2, 2, 2, 2, None]  # one turn per delay, none lost


async def test_prune_drops_what_is_forgotten_or_over(shop: Shop) -> None:
    clock = FakeClock()
    keys = backoff(shop, clock)
    counters = Counters(shop.store.throttles, WINDOW, now=clock)
    await keys.claim("a", counted=True)
    await counters.add("b")
    assert await counters.count("b") == 1
    clock.moment += WINDOW
    assert await counters.count("b") == 0
    assert await keys.prune() + await counters.prune() == 2
    assert await shop.store.throttles.count_documents({}) == 0


def test_an_ipv6_client_counts_by_its_64_block() -> None:
    assert client_block("2001:db8:1:2::1") == client_block("2001:db8:1:2:ffff::9")
    assert client_block("2001:db8:1:2::1") != client_block("2001:db8:1:3::1")
    assert client_block("::ffff:192.0.2.1") == client_block("192.0.2.1") == "192.0.2.1"
    assert client_block("telegram:42") == "telegram:42"
