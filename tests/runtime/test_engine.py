"""The database engine itself keeps single-document atomicity under concurrency."""

import asyncio
import os
import signal
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient, MongoClient, ReturnDocument

from core.config import DATA_DIR
from core.shop import Shop
from runtime.embedded import EmbeddedMongo, EngineUnavailable


async def test_concurrent_guarded_decrements_never_lose_an_update(shop: Shop) -> None:
    products = shop.store.products
    await products.insert_one({"_id": "p", "stock": 30})

    async def take(quantity: int) -> bool:
        after = await products.find_one_and_update(
            {"_id": "p", "stock": {"$gte": quantity}},
            {"$inc": {"stock": -quantity}},
            return_document=ReturnDocument.AFTER,
        )
        return after is not None

    results = await asyncio.gather(*(take(1) for _ in range(50)))

    assert sum(results) == 30
    assert await products.find_one({"_id": "p"}) == {"_id": "p", "stock": 0}


async def test_concurrent_increments_all_land(shop: Shop) -> None:
    counters = shop.store.counters
    numbers = await asyncio.gather(*(shop.store.next_number("t") for _ in range(50)))
    assert sorted(numbers) == list(range(1, 51))
    assert await counters.find_one({"_id": "t"}) == {"_id": "t", "value": 50}


@pytest.mark.slow
def test_the_embedded_default_keeps_data_across_restarts(tmp_path: Path) -> None:
    store = tmp_path / "shop.mv"
    for _ in range(2):  # a second start finds what the first one wrote
        with EmbeddedMongo(store, cache_dir=DATA_DIR / "engine") as engine:
            client: MongoClient[dict[str, object]] = MongoClient(engine.uri)
            client.shop.products.update_one({"_id": "kept"}, {"$inc": {"starts": 1}}, upsert=True)
            client.close()
    c: MongoClient[dict[str, object]]
    with (
        EmbeddedMongo(store, cache_dir=DATA_DIR / "engine") as engine,
        MongoClient(engine.uri) as c,
    ):
        assert c.shop.products.find_one({"_id": "kept"}) == {"_id": "kept", "starts": 2}


def test_without_java_the_error_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("runtime.embedded.shutil.which", lambda tool: None)
    with pytest.raises(EngineUnavailable) as missing:
        EmbeddedMongo("memory", cache_dir=tmp_path).start()
    assert "apt-get install openjdk-17-jdk-headless maven" in str(missing.value)
    assert "MONGODB_URI" in str(missing.value)


async def test_indexes_can_be_created_again_at_every_start(shop: Shop) -> None:
    before = await shop.store.orders.index_information()
    await shop.store.ensure_indexes()
    assert await shop.store.orders.index_information() == before
    assert before["userId_1_idempotencyKey_1"]["unique"]


WAIT = 60.0
"""Generous bound on waits for an engine to come back (a JVM start takes seconds)."""


async def _restarted(engine: EmbeddedMongo, dead: int) -> None:
    """Wait until ``engine`` runs again in a new process (not ``dead``)."""
    async with asyncio.timeout(WAIT):
        while engine.pid in (None, dead):
            await asyncio.sleep(0.05)


async def test_a_killed_engine_is_started_again_on_its_port_with_its_data(tmp_path: Path) -> None:
    engine = EmbeddedMongo(tmp_path / "shop.mv", cache_dir=DATA_DIR / "engine")
    uri = await asyncio.to_thread(engine.start)
    keeper = asyncio.create_task(engine.keep_running(first_delay=0.01))
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        uri, serverSelectionTimeoutMS=int(WAIT * 1000)
    )
    try:
        await client.shop.products.insert_one({"_id": "kept"})
        dead = engine.pid
        assert dead is not None
        os.kill(dead, signal.SIGKILL)
        await _restarted(engine, dead)
        assert engine.uri == uri  # same port: the pool finds it again
        assert await client.shop.products.find_one({"_id": "kept"}) == {"_id": "kept"}
        assert not keeper.done()
    finally:
        keeper.cancel()
        await client.close()
        await asyncio.to_thread(engine.stop)


async def test_an_engine_that_keeps_dying_is_given_up_with_one_line(tmp_path: Path) -> None:
    engine = EmbeddedMongo("memory", cache_dir=DATA_DIR / "engine")
    await asyncio.to_thread(engine.start)
    keeper = asyncio.create_task(engine.keep_running(restarts=1, first_delay=0.01, stable=WAIT))
    try:
        first = engine.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        await _restarted(engine, first)  # the one restart allowed
        second = engine.pid
        assert second is not None
        os.kill(second, signal.SIGKILL)
        async with asyncio.timeout(WAIT):
            with pytest.raises(EngineUnavailable) as given_up:
                await keeper
        assert "did not stay up after 1 restart" in str(given_up.value)
        assert "\n" not in str(given_up.value)
    finally:
        keeper.cancel()
        await asyncio.to_thread(engine.stop)
