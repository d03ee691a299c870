"""Serve the real application over HTTP on 127.0.0.1 against the real engine.

Every reply that the ``Api`` client receives is checked against the OpenAPI document:
its status must be documented for that operation and its body must match the schema.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from jsonschema import Draft202012Validator
from multidict import CIMultiDictProxy

from admin_api.app import create_app, run_api
from admin_api.config import ApiSettings
from admin_api.keys import OPENAPI
from core.accounts.access import SYSTEM
from core.accounts.commands import Credentials
from core.accounts.models import Role, User
from core.base.clock import now
from core.base.ids import ID_PATTERN
from core.catalog.commands import CategoryDraft
from core.catalog.models import Product
from core.config import CoreSettings
from core.messaging.commands import BroadcastDraft
from core.sales.commands import CartChange
from core.shop import Shop
from tests.conftest import ADDRESS, FakeClock, NewProduct, NewUser
from tests.images import image_bytes
from tests.processes import free_port, wait_until_listening

PASSWORD = "correct horse battery"


def api_settings(**overrides: Any) -> ApiSettings:
    return ApiSettings(_env_file=None, **overrides)  # type: ignore[call-arg]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: CIMultiDictProxy[str]
    body: Any  # decoded JSON, the bytes of an image, or the text of anything else

    @property
    def code(self) -> str | None:
        """The problem code of an error reply."""
        return self.body.get("code") if isinstance(self.body, dict) else None


class Api:
    """An HTTP client for the served app that checks replies against the document."""

    def __init__(self, client: TestClient[Any, Any], document: dict[str, Any]) -> None:
        self.client = client
        self.document = document
        self._templates = [
            (re.compile("^" + re.sub(r"{\w+}", ID_PATTERN, path) + "$"), path)
            for path in document["paths"]
        ]

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Reply:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        async with self.client.request(method, path, headers=sent, **kwargs) as response:
            raw = await response.read()
            if response.content_type.startswith("image/"):
                body: Any = raw
            else:
                is_json = response.content_type.endswith("json")
                body = response_json(raw.decode(response.charset or "utf-8"), is_json)
            reply = Reply(response.status, response.headers, body)
        self._check_documented(method, response.url.path, response.content_type, reply)
        return reply

    async def get(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("POST", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("DELETE", path, **kwargs)

    def _check_documented(self, method: str, path: str, media_type: str, reply: Reply) -> None:
        template = next((t for pattern, t in self._templates if pattern.match(path)), None)
        operation = self.document["paths"].get(template, {}).get(method.lower())
        if operation is None:
            return  # not an API operation: an unknown path, a docs asset, a preflight
        documented = operation["responses"].get(str(reply.status))
        assert documented, f"{method} {template} answered {reply.status}, not documented"
        if "content" not in documented:  # 304
            assert not reply.body, f"{method} {template} {reply.status} has a body"
            return
        assert media_type in documented["content"], f"{method} {template}: {media_type}"
        if media_type.endswith("json"):
            schema = documented["content"][media_type]["schema"]
            validator = Draft202012Validator({**schema, "components": self.document["components"]})
            validator.validate(reply.body)


def response_json(text: str, is_json: bool) -> Any:
    return json.loads(text) if is_json and text else text


Serve = Callable[..., Awaitable[Api]]


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


Listen = Callable[..., Awaitable[int]]


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


@dataclass(frozen=True)
class Account:
    user: User
    token: str
    password: str = PASSWORD

    @property
    def id(self) -> str:
        return str(self.user.id)

    @property
    def email(self) -> str:
        return self.user.email


NewAccount = Callable[..., Awaitable[Account]]


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


@dataclass(frozen=True)
class World:
    """Alice has a placed order and a cart with tea (in the category Herbal, with a photo);
    Bob has nothing; staff of each role."""

    alice: Account
    bob: Account
    operator: Account
    admin: Account
    tea: Product
    archived: Product
    order_id: str
    broadcast_id: str
    category_id: str


@pytest.fixture
async def world(shop: Shop, new_account: NewAccount, new_product: NewProduct) -> World:
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
