"""How every entry point runs: logging, settings, the database, the shop, its recovery loop,
and the signals that stop it, in one place (:func:`run_process`)."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import Any

from core.config import CoreSettings, ensure_generated_secret, load
from core.logs import LogSettings, configure_logging
from core.shop import Shop, open_shop
from runtime.database import database
from runtime.embedded import EngineUnavailable
from runtime.metrics import CountRecoveries, MetricsSettings, serve_metrics

log = logging.getLogger(__name__)
Job = Coroutine[Any, Any, None]


def run_process(serve: Callable[[Shop], Job], *, figures: bool = False) -> None:
    """Open the shop and run ``serve(shop)`` beside the recovery loop (and the embedded
    engine's keeper) until SIGINT/SIGTERM, or until one of them ends or fails (a failure is
    raised; an embedded engine that cannot be kept up stops the process with one line).

    With ``METRICS_PORT`` the process serves its metrics meanwhile, and the shop's figures
    if ``METRICS_SHOP_FIGURES`` (default: ``figures``) says so (``runtime/metrics.py``)."""
    configure_logging(load(LogSettings))
    ensure_generated_secret()
    settings, metrics = load(CoreSettings), load(MetricsSettings)

    async def run() -> None:
        async with (
            database(settings) as db,
            open_shop(settings, db.uri, watcher=CountRecoveries()) as shop,
            serve_metrics(shop, metrics, figures=figures),
        ):
            await run_until_stopped(serve(shop), shop.keep_recovering(), db.kept_up())

    try:
        asyncio.run(run())
    except EngineUnavailable as error:
        raise SystemExit(f"error: {error}") from None
    log.info("stopped")


async def run_until_stopped(*jobs: Job) -> None:
    """Run ``jobs`` until SIGINT/SIGTERM, or until one of them ends or fails."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await first_to_end(*jobs, stop.wait())
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def first_to_end(*jobs: Coroutine[Any, Any, object]) -> None:
    """Run ``jobs`` concurrently until one ends or fails; the others are then cancelled and
    awaited, and a failure is re-raised."""
    tasks = [asyncio.create_task(job) for job in jobs]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        if not task.cancelled() and (failure := task.exception()) is not None:
            raise failure
