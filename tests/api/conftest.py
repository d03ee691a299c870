"""API fixtures: the real application served over HTTP on 127.0.0.1 against the real
engine, and clients that check every reply against the OpenAPI document
(``tests/api/client.py``)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from admin_api.app import create_app
from admin_api.keys import OPENAPI
from core.access import SYSTEM
from core.categories import CategoryDraft
from core.commands import BroadcastDraft, CartChange, Credentials
from core.config import CoreSettings
from core.models import Role
from core.shop import Shop
from tests.api.client import Api, Serve, api_settings
from tests.api.world import PASSWORD, Account, NewAccount, World
from tests.databases import Snapshot, is_empty
from tests.factories import NewProduct, NewUser
from tests.images import image_bytes
from tests.settings import ADDRESS


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
def new_account(shop: Shop, new_user: NewUser) -> NewAccount:
    """A registered user with ``role``, signed in."""

    async def create(role: Role = Role.USER, name: str = "Alice") -> Account:
        user = await new_user(name=name, password=PASSWORD)
        if role is not Role.USER:
            user = await shop.accounts.set_role(SYSTEM, user.id, role)
        credentials = Credentials(email=user.email, password=PASSWORD)
        user, issued = await shop.users.log_in(credentials, address=ADDRESS)
        return Account(user, issued.token)

    return create


@pytest.fixture(scope="session")
def made_worlds() -> dict[str, tuple[World, Snapshot]]:
    """Each ``World`` made so far and the documents of its database, by the settings of
    the shop it was made in."""
    return {}


@pytest.fixture
async def world(
    shop: Shop,
    new_account: NewAccount,
    new_product: NewProduct,
    core_overrides: dict[str, Any],
    made_worlds: dict[str, tuple[World, Snapshot]],
) -> World:
    """The ``World``, made through core once per shop settings and session, then copied
    into each test's empty database: the same documents, ids and tokens."""
    database = shop.client[shop.settings.mongodb_database]
    if not await is_empty(database):  # the test's own data came first: make it here
        return await _make_world(shop, new_account, new_product)
    shape = json.dumps(core_overrides, sort_keys=True, default=str)
    if made := made_worlds.get(shape):
        world, documents = made
        await documents.copy_into(database)
        return world
    world = await _make_world(shop, new_account, new_product)
    made_worlds[shape] = (world, await Snapshot.of(database))
    return world


async def _make_world(shop: Shop, new_account: NewAccount, new_product: NewProduct) -> World:
    alice = await new_account(name="Alice")
    herbal = await shop.categories.create(SYSTEM, CategoryDraft(name="Herbal"))
    tea = await new_product("Tea", price=450, stock=10, category_id=herbal.id)
    await shop.photos.attach(SYSTEM, tea.id, image_bytes())
    archived = await new_product("Old tea", price=100, stock=5, active=False)
    await shop.carts.add(alice.user.id, CartChange(product_id=tea.id, quantity=2))
    order = await shop.checkout.place_order(alice.user.id)
    await shop.carts.add(alice.user.id, CartChange(product_id=tea.id, quantity=1))
    announcement = {"text": "Welcome!", "segment": {"kind": "all"}}
    broadcast = await shop.broadcasts.start(SYSTEM, BroadcastDraft.model_validate(announcement))
    return World(
        alice=alice,
        bob=await new_account(name="Bob"),
        operator=await new_account(Role.OPERATOR, name="Olga"),
        admin=await new_account(Role.ADMIN, name="Ada"),
        tea=tea,
        archived=archived,
        order_id=str(order.id),
        broadcast_id=str(broadcast.id),
        category_id=str(herbal.id),
    )
