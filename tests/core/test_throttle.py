"""Attempt counters in the database: windows by the injected clock, the guarded count
under concurrency, and the shop's rules on top."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from core.accounts.throttle import Counters
from core.shop import Shop

WINDOW = timedelta(seconds=60)
START = datetime(2030, 1, 1, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.moment = START

    def __call__(self) -> datetime:
        return self.moment


async def test_a_window_opens_with_the_first_attempt_and_ends_by_its_own_time(
    shop: Shop,
) -> None:
    clock = FakeClock()
    counters = Counters(shop.store.throttles, WINDOW, now=clock)
    assert [await counters.take("k", 2) for _ in range(2)] == [None, None]
    clock.moment += timedelta(seconds=15)
    assert await counters.take("k", 2) == 45  # seconds until the window ends
    assert await counters.count("k") == 2
    clock.moment = START + WINDOW
    assert await counters.count("k") == 0
    assert await counters.take("k", 2) is None  # reopened in place
    stored = await shop.store.throttles.find_one({"_id": "k"})
    assert stored is not None and (stored["count"], stored["endsAt"]) == (1, clock.moment + WINDOW)


async def test_concurrent_takes_never_pass_the_limit(shop: Shop) -> None:
    counters = Counters(shop.store.throttles, WINDOW)
    for _ in range(3):  # opening the window races too
        await shop.store.throttles.delete_many({})
        results = await asyncio.gather(*(counters.take("k", 5) for _ in range(30)))
        assert results.count(None) == 5
        assert await counters.count("k") == 5


async def test_give_back_clear_and_prune(shop: Shop) -> None:
    clock = FakeClock()
    counters = Counters(shop.store.throttles, WINDOW, now=clock)
    await counters.take("a", 1)
    await counters.give_back("a")
    assert await counters.take("a", 1) is None
    await counters.clear("a")
    assert await counters.count("a") == 0
    for _ in range(3):
        await counters.add("b")
    assert await counters.count("b") == 3
    await counters.take("c", 1)
    clock.moment += WINDOW
    assert await counters.prune() == 2
    assert await shop.store.throttles.count_documents({}) == 0
