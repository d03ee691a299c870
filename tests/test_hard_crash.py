"""A hard crash of the embedded engine and the API loses no acknowledged order.

Customers check out concurrently over HTTP through the API process, on the embedded engine
persisting to an H2 file. Once enough orders were answered 201, the engine's JVM and the
API process are both killed with SIGKILL, then started again on the same file and every
interrupted checkout is recovered. Whenever the kill lands, every acknowledged order must
be there and placed, and every product's stock plus the units in placed orders must equal
what it started with.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from bson import ObjectId

from core.accounts.access import SYSTEM
from core.accounts.commands import Credentials, Registration
from core.base import clock
from core.catalog.commands import ProductDraft
from core.config import DATA_DIR, PROJECT_ROOT, CoreSettings
from core.shop import open_shop
from runtime.embedded import EmbeddedMongo
from tests.processes import environment, free_port, wait_until_serving
from tests.settings import ADDRESS, make_settings

pytestmark = pytest.mark.slow

CUSTOMERS = 12
PRODUCTS = 3
STOCK = 100_000
ACKNOWLEDGED_BEFORE_KILL = 40
PASSWORD = "correct horse battery"


@contextlib.asynccontextmanager
async def api_process(
    uri: str, settings: CoreSettings, log: Path
) -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    """``python -m admin_api`` on ``uri``: its address and process, once serving."""
    port = free_port()
    env = environment(
        MONGODB_URI=uri, MONGODB_DATABASE=settings.mongodb_database, API_PORT=str(port)
    )
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "admin_api", cwd=PROJECT_ROOT, env=env, stderr=output
        )
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_serving(f"{url}/readyz")
        yield url, process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def seed(uri: str, settings: CoreSettings) -> tuple[list[str], list[ObjectId]]:
    """Signed-in customers' tokens and the products they buy."""
    async with open_shop(settings, uri) as shop:
        products = [
            (
                await shop.catalog.create(
                    SYSTEM, ProductDraft(name=f"Tea {n}", price=100, stock=STOCK)
                )
            ).id
            for n in range(PRODUCTS)
        ]
        tokens = []
        for n in range(CUSTOMERS):
            email = f"buyer{n}@example.com"
            await shop.users.register(
                Registration(name=f"Buyer {n}", email=email, password=PASSWORD),
                address=ADDRESS,
            )
            credentials = Credentials(email=email, password=PASSWORD)
            _, issued = await shop.users.log_in(credentials, address=ADDRESS)
            tokens.append(issued.token)
    return tokens, products


class Buyers:
    """Customers looping "add a product, order" until the crash; the orders answered 201."""

    def __init__(self, url: str, products: list[ObjectId]) -> None:
        self.url = url
        self.products = [str(p) for p in products]
        self.acknowledged: dict[str, str] = {}  # order id -> the buyer's token
        self.enough = asyncio.Event()
        self.crashed = False

    async def buy(self, number: int, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with aiohttp.ClientSession(self.url, headers=headers) as http:
            for round_ in itertools.count():
                product = self.products[(number + round_) % len(self.products)]
                line = {"productId": product, "quantity": 1 + round_ % 3}
                try:
                    async with http.post("/api/cart/add", json=line) as added:
                        self._expect(added.status, 200)
                    key = {"Idempotency-Key": uuid.uuid4().hex}
                    async with http.post("/api/orders", headers=key) as placed:
                        self._expect(placed.status, 201)
                        order = await placed.json()
                except (aiohttp.ClientError, Stopped):
                    if self.crashed:
                        return
                    raise
                self.acknowledged[order["id"]] = token
                if len(self.acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
                    self.enough.set()

    def _expect(self, status: int, wanted: int) -> None:
        if status != wanted:
            if self.crashed:
                raise Stopped()
            raise AssertionError(f"answered {status} before the crash")


class Stopped(Exception):
    """The crash ended this buyer's loop."""


async def crash_while_buying(data_file: Path, settings: CoreSettings, log: Path) -> dict[str, str]:
    """Run the buyers, kill engine and API once enough orders were acknowledged; those."""
    engine = EmbeddedMongo(data_file, cache_dir=DATA_DIR / "engine")
    uri = await asyncio.to_thread(engine.start)
    try:
        tokens, products = await seed(uri, settings)
        async with api_process(uri, settings, log) as (url, api):
            buyers = Buyers(url, products)
            loops = [asyncio.create_task(buyers.buy(n, t)) for n, t in enumerate(tokens)]
            enough = asyncio.create_task(buyers.enough.wait())
            await asyncio.wait([enough, *loops], timeout=120, return_when="FIRST_COMPLETED")
            enough.cancel()
            assert buyers.enough.is_set(), [loop.exception() for loop in loops if loop.done()]
            buyers.crashed = True
            engine.kill()
            api.kill()
            await asyncio.gather(*loops)
    finally:
        await asyncio.to_thread(engine.stop)
    return dict(buyers.acknowledged)


async def test_acknowledged_orders_survive_a_sigkill_of_engine_and_api(tmp_path: Path) -> None:
    data_file, log = tmp_path / "mongo.mv", tmp_path / "api.log"
    settings = make_settings()
    acknowledged = await crash_while_buying(data_file, settings, log)

    engine = EmbeddedMongo(data_file, cache_dir=DATA_DIR / "engine")
    uri = await asyncio.to_thread(engine.start)
    try:
        async with api_process(uri, settings, log) as (url, _), aiohttp.ClientSession(url) as http:
            present = 0
            for order_id, token in acknowledged.items():
                auth = {"Authorization": f"Bearer {token}"}
                async with http.get(f"/api/orders/{order_id}", headers=auth) as reply:
                    present += reply.status == 200
        async with open_shop(settings, uri) as shop:
            lease = timedelta(seconds=settings.lease_seconds)
            await shop.recover(at=clock.now() + lease + timedelta(seconds=1))
            orders = await shop.store.orders.find({}).to_list()
            products = await shop.store.products.find({}).to_list()
            carts = await shop.store.carts.find({}).to_list()
    finally:
        await asyncio.to_thread(engine.stop)

    assert present == len(acknowledged), f"{present} of {len(acknowledged)} acknowledged orders"
    by_id = {str(order["_id"]): order for order in orders}
    assert all(by_id[i]["placed"] and by_id[i]["status"] == "pending" for i in acknowledged)
    assert [o["_id"] for o in orders if not o["placed"] or "journal" in o] == []
    sold: Counter[ObjectId] = Counter()
    for order in orders:
        if order["status"] != "cancelled":
            for line in order["products"]:
                sold[line["productId"]] += line["quantity"]
    assert {p["_id"]: p["stock"] + sold[p["_id"]] for p in products} == dict.fromkeys(
        [p["_id"] for p in products], STOCK
    )
    assert len(products) == PRODUCTS
    assert [p["_id"] for p in products if p.get("reservedBy")] == []
    settled = {order_id for cart in carts for order_id in cart.get("settledOrders", [])}
    assert {str(order_id) for order_id in settled} <= set(by_id)
