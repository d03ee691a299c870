"""While the database cannot be reached the shop says so, and a client may retry."""

from __future__ import annotations

import asyncio

import pytest

from core.config import DATA_DIR
from core.shop import open_shop
from runtime.embedded import EmbeddedMongo
from tests.api.client import Serve
from tests.settings import make_settings

pytestmark = pytest.mark.slow


async def test_an_unreachable_database_is_a_503_the_client_may_retry(serve: Serve) -> None:
    engine = EmbeddedMongo("memory", cache_dir=DATA_DIR / "engine")
    await asyncio.to_thread(engine.start)
    try:
        # Long enough for a busy machine to reach the running engine; the cost is the wait
        # for the killed one, once (both requests wait at the same time).
        settings = make_settings(mongodb_timeout_seconds=5)
        async with open_shop(settings, engine.uri) as shop:
            api = await serve(on=shop)
            assert (await api.get("/api/products")).status == 200
            await asyncio.to_thread(engine.kill)

            reply, ready = await asyncio.gather(api.get("/api/products"), api.get("/readyz"))
            assert (reply.status, reply.code) == (503, "unavailable")
            assert reply.headers["Content-Type"].startswith("application/problem+json")
            assert reply.headers["Retry-After"] == "5"
            assert "temporarily unavailable" in reply.body["detail"]
            assert ready.status == 503
    finally:
        await asyncio.to_thread(engine.stop)
