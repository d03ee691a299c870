"""Shared fixtures: one database engine per test session, a fresh database per test.

Without ``MONGODB_URI`` the tests run on the embedded engine's memory backend; with it,
on that server (each test still gets its own database, dropped afterwards).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from core.accounts.access import SYSTEM
from core.accounts.commands import Registration
from core.accounts.models import User
from core.catalog.commands import ProductDraft
from core.catalog.models import Product
from core.config import DATA_DIR, CoreSettings
from core.shop import Shop, open_shop
from runtime.embedded import EmbeddedMongo

TEST_SECRET = "test-secret-that-is-long-enough-for-hs256"
ADDRESS = "192.0.2.1"
"""The client address of registrations and logins made through core in tests."""

DELIVERY_METHODS = [
    {"code": "pickup", "title": "Pickup", "info": "12 Market St, 9 to 6"},
    {"code": "courier", "title": "Courier", "fee": 500, "needsAddress": True},
]
"""Delivery methods for the tests of a shop that delivers (``core_overrides``)."""


class FakeClock:
    """A clock that moves only when a test moves ``moment``."""

    def __init__(self, moment: datetime = datetime(2030, 1, 1, tzinfo=UTC)) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


NewUser = Callable[..., Awaitable[User]]
NewProduct = Callable[..., Awaitable[Product]]


@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    if uri := os.environ.get("MONGODB_URI"):
        yield uri
        return
    with EmbeddedMongo("memory", cache_dir=DATA_DIR / "engine") as engine:
        yield engine.uri


def make_settings(**overrides: Any) -> CoreSettings:
    """Test settings: a unique database, cheap bcrypt, no env files."""
    values: dict[str, Any] = {
        "jwt_secret": TEST_SECRET,
        "bcrypt_rounds": 4,
        "mongodb_database": f"test_{uuid.uuid4().hex[:16]}",
        **overrides,
    }
    return CoreSettings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    """Settings of this test's shop beyond ``make_settings``; a test module may override it
    (``{"delivery_methods": DELIVERY_METHODS}`` for a shop that delivers)."""
    return {}


@pytest.fixture
async def shop(mongo_uri: str, core_overrides: dict[str, Any]) -> AsyncIterator[Shop]:
    settings = make_settings(**core_overrides)
    async with open_shop(settings, mongo_uri) as opened:
        yield opened
        await opened.client.drop_database(settings.mongodb_database)


@pytest.fixture
def new_user(shop: Shop) -> NewUser:
    async def create(name: str = "Alice", password: str = "correct horse", **kw: Any) -> User:
        email = kw.pop("email", f"{uuid.uuid4().hex[:10]}@example.com")
        registration = Registration(name=name, email=email, password=password)
        return await shop.users.register(registration, address=ADDRESS)

    return create


@pytest.fixture
def new_product(shop: Shop) -> NewProduct:
    async def create(name: str = "Tea", price: int = 450, stock: int = 10, **kw: Any) -> Product:
        draft = ProductDraft(name=name, price=price, stock=stock, **kw)
        return await shop.catalog.create(SYSTEM, draft)

    return create
