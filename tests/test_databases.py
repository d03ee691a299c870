"""The test databases are reused, and still no test sees another's data."""

from __future__ import annotations

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError, InvalidOperation

from core.shop import Shop
from core.store import LOOKUP_ANCHOR
from tests.databases import Snapshot, database_pool, is_empty
from tests.settings import make_settings


def _name(shop: Shop) -> str:
    return shop.settings.mongodb_database


async def test_a_database_given_back_is_lent_again_empty_with_its_indexes(
    engine_uri: str,
) -> None:
    with database_pool(engine_uri) as pool:
        async with pool.shop(make_settings()) as first:
            await first.store.users.insert_one({"email": "a@example.com"})
            await first.store.products.insert_one({"name": "Tea"})
            await first.client[_name(first)]["custom"].insert_one({"x": 1})
        async with pool.shop(make_settings()) as second:
            database = second.client[_name(second)]
            assert _name(second) == _name(first)
            assert await is_empty(database)
            assert await database["custom"].count_documents({}) == 0
            await second.store.users.insert_one({"email": "b@example.com"})
            with pytest.raises(DuplicateKeyError):  # the unique index is still there
                await second.store.users.insert_one({"email": "b@example.com"})


async def test_a_database_lent_again_has_the_stores_own_documents(engine_uri: str) -> None:
    """The combined read of the bot starts from ``lookups``' one document: a test that
    deleted it must not leave the next one on the slower path."""
    with database_pool(engine_uri) as pool:
        async with pool.shop(make_settings()) as first:
            await first.store.lookups.delete_many({})
        async with pool.shop(make_settings()) as second:
            assert _name(second) == _name(first)
            assert await second.store.lookups.find_one({"_id": LOOKUP_ANCHOR}) is not None
            assert await is_empty(second.client[_name(second)])


async def test_nothing_of_a_test_writes_once_it_gave_its_database_back(engine_uri: str) -> None:
    with database_pool(engine_uri) as pool:
        async with pool.shop(make_settings()) as kept:
            pass
        with pytest.raises(InvalidOperation):  # its client is closed
            await kept.store.orders.insert_one({"late": True})


async def test_a_database_written_to_after_it_was_given_back_is_never_lent(
    engine_uri: str,
) -> None:
    with database_pool(engine_uri) as pool:
        async with pool.shop(make_settings()) as first:
            pass
        straggler: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(engine_uri)
        try:
            await straggler[_name(first)]["orders"].insert_one({"late": True})
        finally:
            await straggler.close()
        with pytest.raises(AssertionError, match="1 documents of another test"):
            async with pool.shop(make_settings()):
                pass


async def test_a_snapshot_copies_every_document_as_it_was(engine_uri: str) -> None:
    with database_pool(engine_uri) as pool:
        async with pool.shop(make_settings()) as made:
            source = made.client[_name(made)]
            await source["users"].insert_many([{"email": "a@example.com"}, {"n": 2}])
            await source["photos.files"].insert_one({"length": 3})
            snapshot = await Snapshot.of(source)
            async with pool.shop(make_settings()) as other:
                target = other.client[_name(other)]
                await snapshot.copy_into(target)
                copied = await Snapshot.of(target)
    assert {k: v for k, v in copied.documents.items() if v} == {
        k: v for k, v in snapshot.documents.items() if v
    }
    assert len(snapshot.documents["users"]) == 2
