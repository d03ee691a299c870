"""Databases for tests, reused: each is built once (the shop's indexes) and emptied when a
test gives it back, instead of a new database, its indexes and a recovery pass per test.

Isolation stays real: a database is lent to one test at a time, only after the client of
the test that had it was closed (nothing of that test can write any more) and every
collection in it was emptied, and lending checks that it holds no document. (A test that
hands its database to another process, which might outlive the test, gets a database of
its own instead: see the ``shop`` fixture.)

A test's starting data can be made once and copied (``Snapshot``): the documents of every
collection, inserted again as they were into the next test's empty database.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pymongo import MongoClient
from pymongo.asynchronous.database import AsyncDatabase

from core.config import CoreSettings
from core.shop import Shop
from core.store import connect


class DatabasePool:
    """Databases on one engine, lent out one test at a time."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self._free: list[str] = []
        self._sweeper: MongoClient[dict[str, Any]] = MongoClient(uri)

    def close(self) -> None:
        for name in self._free:
            self._sweeper.drop_database(name)
        self._sweeper.close()

    @contextlib.asynccontextmanager
    async def shop(self, settings: CoreSettings) -> AsyncIterator[Shop]:
        """A shop with ``settings`` on an empty database of the pool (its name replaces
        ``settings.mongodb_database``), on a client of its own."""
        fresh = not self._free
        name = self._lend()
        settings = settings.model_copy(update={"mongodb_database": name})
        timeout = timedelta(seconds=settings.mongodb_timeout_seconds)
        client = connect(self.uri, settings.mongodb_write_concern, timeout)
        try:
            shop = Shop.build(settings, client)
            if fresh:
                await shop.store.ensure_indexes()
            else:  # emptied with the rest, as a test may have deleted it
                await shop.store.ensure_lookup_anchor()
            yield shop
        finally:
            await client.close()
        self._empty(name)
        self._free.append(name)

    def _lend(self) -> str:
        if not self._free:
            return f"test_{uuid.uuid4().hex[:16]}"
        name = self._free.pop()
        left = self._sweeper[name].command("dbStats")["objects"]
        assert left == 0, f"database {name} was lent with {left} documents of another test"
        return name

    def _empty(self, name: str) -> None:
        """Delete every document of database ``name``; its collections and indexes stay."""
        database = self._sweeper[name]
        for collection in database.list_collection_names():
            if not collection.startswith("system."):
                database[collection].delete_many({})


@contextlib.contextmanager
def database_pool(uri: str) -> Iterator[DatabasePool]:
    pool = DatabasePool(uri)
    try:
        yield pool
    finally:
        pool.close()


STORE_OWN = frozenset({"lookups"})
"""Collections whose documents the store writes itself at every start
(``Store.ensure_indexes``): part of every shop's database, not a test's data."""


async def _data_collections(database: AsyncDatabase[dict[str, Any]]) -> list[str]:
    return [
        name
        for name in await database.list_collection_names()
        if not name.startswith("system.") and name not in STORE_OWN
    ]


@dataclass(frozen=True)
class Snapshot:
    """Every document of a database, by collection."""

    documents: dict[str, list[dict[str, Any]]]

    @classmethod
    async def of(cls, database: AsyncDatabase[dict[str, Any]]) -> Snapshot:
        names = await _data_collections(database)
        return cls({name: await database[name].find().to_list() for name in names})

    async def copy_into(self, database: AsyncDatabase[dict[str, Any]]) -> None:
        """Insert the documents into ``database``, which holds none."""
        for name, documents in self.documents.items():
            if documents:
                await database[name].insert_many(documents)


async def is_empty(database: AsyncDatabase[dict[str, Any]]) -> bool:
    """No test data: nothing but what the store writes itself."""
    for name in await _data_collections(database):
        if await database[name].find_one({}, projection={"_id": 1}) is not None:
            return False
    return True
