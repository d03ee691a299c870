"""API fixtures: the real application served over HTTP on 127.0.0.1 against the real
engine, and clients that check every reply against the OpenAPI document
(``tests/api/client.py``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from admin_api.app import create_app
from admin_api.keys import OPENAPI
from core.config import CoreSettings
from core.shop import Shop
from tests.api.client import Api, Serve, api_settings
from tests.api.world import NewAccount, World, Worlds, account_maker


@pytest.fixture
async def serve(shop: Shop) -> AsyncIterator[Serve]:
    """Start the app (on ``shop`` unless told) with overrides of ``ApiSettings`` and of
    ``CoreSettings`` (the latter on a copy of the shop over the same database)."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(*, on: Shop | None = None, **overrides: Any) -> Api:
            served = on or shop
            core = {k: v for k, v in overrides.items() if k in CoreSettings.model_fields}
            if core:
                served = Shop.build(served.settings.model_copy(update=core), served.client)
            api = {k: v for k, v in overrides.items() if k not in core}
            app = create_app(served, api_settings(**api))
            client = await stack.enter_async_context(TestClient(TestServer(app)))
            return Api(client, app[OPENAPI])

        yield start


@pytest.fixture
async def api(serve: Serve) -> Api:
    return await serve()


@pytest.fixture
def new_account(shop: Shop) -> NewAccount:
    return account_maker(shop)


@pytest.fixture(scope="session")
def worlds() -> Worlds:
    return Worlds()


@pytest.fixture
async def world(shop: Shop, worlds: Worlds) -> World:
    """The ``World``: made through core once per shop settings and session, then copied
    into each test's empty database."""
    return await worlds.world_in(shop)
