"""The database engine itself keeps single-document atomicity under concurrency."""

import asyncio

from pymongo import ReturnDocument

from core.shop import Shop


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
    assert (await counters.find_one({"_id": "t"}))["value"] == 50
