"""The loop of a process that takes leased work from core (notices to send, refunds to
make) and does it, until cancelled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)
JobT = TypeVar("JobT")


async def keep_working(
    claim: Callable[[], Awaitable[JobT | None]],
    work: Callable[[JobT], Awaitable[None]],
    idle_seconds: float,
    what: str,
) -> None:
    """Claim and ``work`` each job, sleeping when there is none. A failure (the database,
    a bug) is logged and the job is left to its lease: ``what`` says which work failed."""
    while True:
        try:
            job = await claim()
            if job is None:
                await asyncio.sleep(idle_seconds)
            else:
                await work(job)
        except asyncio.CancelledError:
            raise
        except Exception:  # log, breathe, go on
            log.exception("%s failed; retried after its lease", what)
            await asyncio.sleep(idle_seconds)
