"""Back-office fixtures: the API's application served on 127.0.0.1 against the real engine,
and browser-like clients of its pages (``tests/web/office.py``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import BaseTestServer, TestClient, TestServer

from admin_api.app import create_app
from core.base import clock as core_clock
from core.shop import Shop
from tests.api.client import api_settings
from tests.api.world import NewAccount, World, Worlds, account_maker
from tests.clocks import FakeClock
from tests.web.office import Office, OpenOffice


@pytest.fixture
async def open_office(shop: Shop) -> AsyncIterator[OpenOffice]:
    async with contextlib.AsyncExitStack() as stack:
        servers: dict[str, BaseTestServer] = {}

        async def start(*, on: Shop | None = None, **overrides: Any) -> Office:
            served = on or shop
            key = repr((id(served), sorted(overrides.items())))
            if key not in servers:
                app = create_app(served, api_settings(**overrides))
                servers[key] = await stack.enter_async_context(TestServer(app))
            client: TestClient[Any, Any] = TestClient(servers[key])
            await stack.enter_async_context(client)
            return Office(client)

        yield start


@pytest.fixture
async def office(open_office: OpenOffice) -> Office:
    return await open_office()


@pytest.fixture
def new_account(shop: Shop) -> NewAccount:
    return account_maker(shop)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The shop's clock, from now on moved only by the test."""
    fake = FakeClock(core_clock.now())
    monkeypatch.setattr(core_clock, "now", fake)
    return fake


@pytest.fixture(scope="session")
def worlds() -> Worlds:
    return Worlds()


@pytest.fixture
async def world(shop: Shop, worlds: Worlds) -> World:
    """The API tests' ``World`` (``tests/api/world.py``): Alice's order, staff of each role."""
    return await worlds.world_in(shop)
