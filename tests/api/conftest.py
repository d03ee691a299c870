"""API fixtures: the real application served over HTTP on 127.0.0.1 against the real
engine, and clients that check every reply against the OpenAPI document
(``tests/api/client.py``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from admin_api.app import create_app, run_api
from admin_api.keys import OPENAPI
from core.base.clock import now
from core.config import CoreSettings
from core.shop import Shop
from tests.api.client import Api, Listen, Serve, api_settings
from tests.api.world import NewAccount, World, Worlds, account_maker
from tests.clocks import FakeClock
from tests.processes import free_port, wait_until_listening


@pytest.fixture
async def serve(shop: Shop) -> AsyncIterator[Serve]:
    """Start the app (on ``shop`` unless told) with overrides of ``ApiSettings`` and of
    ``CoreSettings`` (the latter on a copy of the shop over the same database), its
    guessing limits timed by ``clock`` if given."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(
            *, on: Shop | None = None, clock: FakeClock | None = None, **overrides: Any
        ) -> Api:
            served = on or shop
            core = {k: v for k, v in overrides.items() if k in CoreSettings.model_fields}
            if core or clock:
                settings = served.settings.model_copy(update=core)
                served = Shop.build(settings, served.client, throttle_clock=clock or now)
            api = {k: v for k, v in overrides.items() if k not in core}
            app = create_app(served, api_settings(**api))
            client = await stack.enter_async_context(TestClient(TestServer(app)))
            return Api(client, app[OPENAPI])

        yield start


@pytest.fixture
async def listen(shop: Shop) -> AsyncIterator[Listen]:
    """Serve the API as ``python -m admin_api`` does (its connection caps and timeouts
    included) in this process, on 127.0.0.1, with ``ApiSettings`` overrides; the port."""
    tasks: list[asyncio.Task[None]] = []

    async def start(**overrides: Any) -> int:
        port = free_port()
        tasks.append(asyncio.create_task(run_api(shop, api_settings(api_port=port, **overrides))))
        await wait_until_listening(port)
        return port

    yield start
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


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
