"""The database engine itself keeps single-document atomicity under concurrency."""

import asyncio
from pathlib import Path

import pytest
from pymongo import MongoClient, ReturnDocument

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
