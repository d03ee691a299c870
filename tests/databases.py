"""Databases for tests, reused: each is built once (the shop's indexes) and emptied when a
test gives it back, instead of a new database, its indexes and a recovery pass per test.

Isolation stays real: a database is lent to one test at a time, and only after the client
of the test that had it was closed (nothing of that test can write any more) and every
collection in it was emptied. (A test that hands its database to another process, which
might outlive the test, gets a database of its own instead: see the ``shop`` fixture.)
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

from pymongo import MongoClient

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
        name = f"test_{uuid.uuid4().hex[:16]}" if fresh else self._free.pop()
        settings = settings.model_copy(update={"mongodb_database": name})
        timeout = timedelta(seconds=settings.mongodb_timeout_seconds)
        client = connect(self.uri, settings.mongodb_write_concern, timeout)
        try:
            shop = Shop.build(settings, client)
            if fresh:
                await shop.store.ensure_indexes()
            yield shop
        finally:
            await client.close()
        self._empty(name)
        self._free.append(name)

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
