"""What every benchmark stands on: the embedded engine, shops on named databases, the
settings environment of the child processes, and where results go."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

import aiohttp

from core.config import DATA_DIR, PROJECT_ROOT, CoreSettings
from core.shop import Shop, open_shop
from runtime.embedded import EmbeddedMongo

RESULTS = PROJECT_ROOT / "bench" / "results"
SECRET = "bench-secret-that-is-long-enough-for-hs256"  # noqa: S105 - a throwaway local key
BCRYPT_ROUNDS = 4


EngineStore = Literal["memory", "file"]


@contextlib.asynccontextmanager
async def engine(store: EngineStore = "memory") -> AsyncIterator[str]:
    """mongo-java-server for the whole run: its memory backend, or an H2 file in a fresh
    temporary folder (the shop's embedded default); its connection string."""
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as folder:
        mongo = EmbeddedMongo(
            "memory" if store == "memory" else Path(folder) / "bench.mv",
            cache_dir=DATA_DIR / "engine",
        )
        uri = await asyncio.to_thread(mongo.start)
        try:
            yield uri
        finally:
            await asyncio.to_thread(mongo.stop)


def core_settings(database: str) -> CoreSettings:
    values: dict[str, Any] = {
        "jwt_secret": SECRET,
        "bcrypt_rounds": BCRYPT_ROUNDS,
        "mongodb_database": database,
    }
    return CoreSettings(_env_file=None, **values)


@contextlib.asynccontextmanager
async def shop_on(uri: str, database: str) -> AsyncIterator[Shop]:
    """A shop on its own database (indexes created), dropped afterwards."""
    async with open_shop(core_settings(database), uri) as shop:
        try:
            yield shop
        finally:
            await shop.client.drop_database(database)


def child_env(uri: str, database: str, **values: str) -> dict[str, str]:
    """The settings of a child process serving ``database``."""
    return {
        "MONGODB_URI": uri,
        "MONGODB_DATABASE": database,
        "JWT_SECRET": SECRET,
        "BCRYPT_ROUNDS": str(BCRYPT_ROUNDS),
        **values,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> Callable[[], Awaitable[bool]]:
    """A readiness probe: does ``url`` answer 200?"""

    async def probe() -> bool:
        try:
            async with aiohttp.ClientSession() as http, http.get(url) as reply:
                return reply.status == 200
        except aiohttp.ClientError:
            return False

    return probe
