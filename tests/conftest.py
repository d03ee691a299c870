"""Shared fixtures: one database engine per test session, an empty database per test.

Without ``MONGODB_URI`` the tests run on the embedded engine's memory backend; with it,
on that server. Databases are reused (``tests/databases.py``): emptied between tests, their
indexes built once. Helpers that tests import live in modules beside this one
(``tests/settings.py``, ``tests/factories.py``), never in a conftest or a test module.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from core.config import DATA_DIR
from core.shop import Shop, open_shop
from runtime.embedded import EmbeddedMongo
from tests.databases import DatabasePool, database_pool
from tests.factories import NewProduct, NewUser, product_maker, user_maker
from tests.settings import make_settings


@pytest.fixture(scope="session")
def engine_uri() -> Iterator[str]:
    if uri := os.environ.get("MONGODB_URI"):
        yield uri
        return
    with EmbeddedMongo("memory", cache_dir=DATA_DIR / "engine") as engine:
        yield engine.uri


@pytest.fixture(scope="session")
def mongo_uri(engine_uri: str) -> str:
    """The engine's URI, for a test that hands a database to other processes (as their
    ``MONGODB_URI``). Asking for it gives the test's ``shop`` a database no test reuses."""
    return engine_uri


@pytest.fixture(scope="session")
def databases(engine_uri: str) -> Iterator[DatabasePool]:
    with database_pool(engine_uri) as pool:
        yield pool


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    """Settings of this test's shop beyond ``make_settings``; a test module may override it
    (``{"delivery_methods": DELIVERY_METHODS}`` for a shop that delivers)."""
    return {}


@pytest.fixture
async def shop(
    request: pytest.FixtureRequest, databases: DatabasePool, core_overrides: dict[str, Any]
) -> AsyncIterator[Shop]:
    """The test's shop, on an empty database of its own.

    A test that asks for ``mongo_uri`` too may hand the database to other processes, which
    could outlive it: it gets a new database, opened as a process opens it and dropped
    afterwards, never one that another test will reuse.
    """
    settings = make_settings(**core_overrides)
    if "mongo_uri" in request.fixturenames:
        async with open_shop(settings, databases.uri) as opened:
            yield opened
            await opened.client.drop_database(settings.mongodb_database)
        return
    async with databases.shop(settings) as lent:
        yield lent


@pytest.fixture
def new_user(shop: Shop) -> NewUser:
    return user_maker(shop)


@pytest.fixture
def new_product(shop: Shop) -> NewProduct:
    return product_maker(shop)
