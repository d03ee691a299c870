"""Named leases in the database: one holder, expiry by the injected clock, waiting for a
holder that died, renewal while held."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.base import clock
from core.base.leases import Leases
from core.shop import Shop
from tests.clocks import FakeClock

TTL = timedelta(seconds=10)
WAIT = 10.0
"""Generous bound on waits for the real clock (the lease involved lasts about 1 s)."""


async def test_one_holder_until_release_or_expiry(shop: Shop) -> None:
    now = FakeClock()
    leases = Leases(shop.store.leases, now=now)
    assert await leases.try_acquire("user:1", "a", TTL)
    assert not await leases.try_acquire("user:1", "b", TTL)
    assert await leases.try_acquire("user:2", "b", TTL)  # other names are independent
    await leases.release("user:1", "b")  # not b's to release
    assert not await leases.try_acquire("user:1", "b", TTL)

    now.moment += TTL / 2
    assert await leases.renew("user:1", "a", TTL)
    now.moment += TTL * 0.9
    assert not await leases.try_acquire("user:1", "b", TTL)  # renewed: still a's
    now.moment += TTL * 0.6
    assert await leases.try_acquire("user:1", "b", TTL)  # a died: expired, taken over
    assert not await leases.renew("user:1", "a", TTL)

    await leases.release("user:1", "b")
    assert await leases.try_acquire("user:1", "c", TTL)
    now.moment += TTL * 2
    assert await leases.prune() == 2
    assert await shop.store.leases.count_documents({}) == 0


async def test_concurrent_acquires_have_one_winner(shop: Shop) -> None:
    leases = Leases(shop.store.leases)
    for round_ in range(3):
        owners = [f"{round_}-{n}" for n in range(20)]
        won = await asyncio.gather(*(leases.try_acquire("user:1", o, TTL) for o in owners))
        assert won.count(True) == 1
        await leases.release("user:1", owners[won.index(True)])


async def test_hold_waits_out_a_dead_holder(shop: Shop) -> None:
    leases = Leases(shop.store.leases)
    dead_until = clock.now() + timedelta(seconds=1)
    await shop.store.leases.insert_one({"_id": "user:1", "owner": "killed", "until": dead_until})
    async with asyncio.timeout(WAIT):
        async with leases.hold("user:1", TTL):
            assert clock.now() >= dead_until
            stored = await shop.store.leases.find_one({"_id": "user:1"})
            assert stored is not None and stored["owner"] != "killed"
    assert await shop.store.leases.count_documents({}) == 0


async def test_hold_waits_for_release_then_serves_in_turn(shop: Shop) -> None:
    leases = Leases(shop.store.leases)
    inside: list[int] = []
    overlaps = 0

    async def work(n: int) -> None:
        nonlocal overlaps
        async with leases.hold("user:1", TTL):
            overlaps += bool(inside)
            inside.append(n)
            await asyncio.sleep(0)  # let the others try while this one holds
            await asyncio.sleep(0)
            inside.remove(n)

    async with asyncio.timeout(WAIT * 3):
        await asyncio.gather(*(work(n) for n in range(8)))
    assert overlaps == 0


async def test_a_long_holder_keeps_its_lease_renewed(shop: Shop) -> None:
    leases = Leases(shop.store.leases)
    ttl = timedelta(seconds=1.5)
    async with leases.hold("user:1", ttl):
        first = await shop.store.leases.find_one({"_id": "user:1"})
        assert first is not None
        async with asyncio.timeout(WAIT):
            while True:
                stored = await shop.store.leases.find_one({"_id": "user:1"})
                if stored is not None and stored["until"] > first["until"]:
                    break
                await asyncio.sleep(0.05)
        assert stored["owner"] == first["owner"]
    assert await shop.store.leases.count_documents({}) == 0
