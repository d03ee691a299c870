"""Where the database is: ``MONGODB_URI``, or the embedded engine this project launches."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from pymongo import AsyncMongoClient
from pymongo.errors import ConfigurationError, OperationFailure, PyMongoError
from pymongo.uri_parser import parse_uri

from core.base.backoff import backoff
from core.config import ConfigError, CoreSettings
from runtime.embedded import EmbeddedMongo

ATTEMPT_SECONDS = 5.0
"""How long one try waits for the database to answer."""
AUTHENTICATION_FAILED = 18

log = logging.getLogger(__name__)


class DatabaseUnreachable(SystemExit):
    """The database did not answer within ``DB_WAIT_SECONDS``: one line, exit code 1 (a
    supervisor may start the process again: the database may be back by then)."""


@dataclass(frozen=True)
class Database:
    uri: str
    engine: EmbeddedMongo | None = None
    """The embedded engine this process started, if it did."""

    async def kept_up(self) -> None:
        """Runs as long as the process: starts this process's embedded engine again when it
        dies (``EngineUnavailable`` when that keeps failing); nothing to do otherwise."""
        if self.engine is None:
            await asyncio.Event().wait()
        else:
            await self.engine.keep_running()


@contextlib.asynccontextmanager
async def database(settings: CoreSettings, wait_seconds: float = 0) -> AsyncIterator[Database]:
    """``MONGODB_URI`` once it answers (waited for up to ``wait_seconds``); else the
    embedded engine another process of ours already runs; else a new embedded engine
    persisting under ``DATA_DIR``, stopped on exit."""
    if settings.mongodb_uri is not None:
        uri = settings.mongodb_uri.get_secret_value()
        await wait_for_database(uri, wait_seconds)
        yield Database(uri)
        return
    port_file = settings.data_dir / "mongo.port"
    if port := _listening_port(port_file):
        yield Database(f"mongodb://127.0.0.1:{port}/")
        return
    engine = EmbeddedMongo(settings.data_dir / "mongo.mv", cache_dir=settings.data_dir / "engine")
    uri = await asyncio.to_thread(engine.start)
    port_file.write_text(str(engine.port))
    try:
        yield Database(uri, engine)
    finally:
        port_file.unlink(missing_ok=True)
        await asyncio.to_thread(engine.stop)


def _listening_port(port_file: Path) -> int | None:
    """The port in ``port_file`` if something still listens there."""
    try:
        port = int(port_file.read_text())
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except (OSError, ValueError):
        return None
    return port


async def wait_for_database(
    uri: str,
    wait_seconds: float,
    *,
    attempt_seconds: float = ATTEMPT_SECONDS,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    now: Callable[[], float] = time.monotonic,
) -> None:
    """Return once the database at ``uri`` answers a ping, each try waiting up to
    ``attempt_seconds`` for it. Tries again after a growing pause (``core/base/backoff.py``)
    until ``wait_seconds`` have passed, then ``DatabaseUnreachable``; a malformed URI or
    refused credentials are a ``ConfigError`` at once (waiting would not mend them)."""
    deadline = now() + wait_seconds
    attempts = 0
    while True:
        attempts += 1
        milliseconds = int(attempt_seconds * 1000)  # the last try may end past the deadline
        try:
            client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
                uri, serverSelectionTimeoutMS=milliseconds, connectTimeoutMS=milliseconds
            )
        except ConfigurationError as error:
            raise ConfigError(f"configuration error: MONGODB_URI is not valid: {error}") from None
        try:
            await client.admin.command("ping")
            return
        except OperationFailure as error:
            if error.code == AUTHENTICATION_FAILED:
                raise ConfigError(
                    "configuration error: MONGODB_URI: the database refused its user name or "
                    "password"
                ) from None
            reason = str(error)
        except PyMongoError as error:
            reason = str(error)
        finally:
            await client.close()
        left = deadline - now()
        if left <= 0:
            hosts = ", ".join(f"{host}:{port}" for host, port in parse_uri(uri)["nodelist"])
            raise DatabaseUnreachable(
                f"error: the database ({hosts}) did not answer within {wait_seconds:g} s "
                f"(DB_WAIT_SECONDS): {driver_reason(reason)}"
            )
        pause = min(backoff(attempts).total_seconds(), left)
        log.warning(
            "the database does not answer yet; trying again",
            extra={"inSeconds": round(pause, 1), "attempt": attempts},
        )
        await sleep(pause)


def driver_reason(reason: str) -> str:
    """The first cause in a driver's error, without its topology description."""
    for cut in (" (configured timeouts", ", Timeout:", ", Topology Description"):
        reason = reason.split(cut)[0]
    return reason
