"""The heartbeat a long-running process writes for ``python -m runtime.health`` (see there)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from pathlib import Path

from core.config import ConfigError

log = logging.getLogger(__name__)


async def keep_beating(
    path: Path,
    period: float,
    database_answers: Callable[[], Awaitable[bool]],
    *,
    now: Callable[[], float] = time.time,
) -> None:
    """Write a heartbeat to ``path`` every ``period`` seconds until cancelled, then remove it
    (a process that stopped has none). A first heartbeat that cannot be written is a
    configuration error; a later one is logged, and the heartbeat goes stale."""
    first = True
    try:
        while True:
            beat = {"at": now(), "period": period, "database": await database_answers()}
            try:
                _write(path, beat)
            except OSError as error:
                if first:
                    raise ConfigError(
                        f"configuration error: HEARTBEAT_DIR {path.parent} cannot be written "
                        f"({error.strerror})"
                    ) from None
                log.warning("heartbeat not written", extra={"error": str(error)})
            first = False
            await asyncio.sleep(period)
    finally:
        _remove(path)


@contextlib.contextmanager
def holding_error(path: Path | None, line: str) -> Iterator[None]:
    """While a process waits after a configuration error: its heartbeat at ``path`` says
    ``line`` (if it can be written), so that its healthcheck shows why; removed after."""
    if path is not None:
        with contextlib.suppress(OSError):
            _write(path, {"error": line})
    try:
        yield
    finally:
        if path is not None:
            _remove(path)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _write(path: Path, beat: Mapping[str, object]) -> None:
    """Replace the heartbeat at ``path`` whole (a reader never sees half of one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(beat))
    partial.replace(path)
