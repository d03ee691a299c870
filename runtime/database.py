"""Where the database is: ``MONGODB_URI``, or the embedded engine this project launches."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from core.config import CoreSettings
from runtime.embedded import EmbeddedMongo


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
async def database(settings: CoreSettings) -> AsyncIterator[Database]:
    """``MONGODB_URI``; else the embedded engine another process of ours already runs;
    else a new embedded engine persisting under ``DATA_DIR``, stopped on exit."""
    if settings.mongodb_uri is not None:
        yield Database(settings.mongodb_uri.get_secret_value())
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
