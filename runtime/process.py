"""How every entry point runs: logging, settings, the database, the shop, its recovery loop,
and the signals that stop it, in one place (:func:`run_process`)."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from core.config import ConfigError, CoreSettings, ensure_generated_secret, load
from core.logs import LogSettings, configure_logging
from core.shop import Shop, open_shop
from runtime.config import OnConfigError, RuntimeSettings, on_config_error
from runtime.database import database
from runtime.embedded import EngineUnavailable
from runtime.health import heartbeat_file, heartbeat_from_environment
from runtime.heartbeat import holding_error, keep_beating
from runtime.metrics import CountRecoveries, MetricsSettings, serve_metrics

log = logging.getLogger(__name__)
Job = Coroutine[Any, Any, None]

CONFIG_ERROR_EXIT = 78
"""Exit code after a configuration error: ``EX_CONFIG`` of sysexits.h."""


def start(main: Callable[[], None], name: str | None = None) -> None:
    """Run an entry point's ``main``; a configuration error prints its one line and exits
    with ``CONFIG_ERROR_EXIT``, or with ``ON_CONFIG_ERROR=wait`` first waits for SIGTERM or
    SIGINT, so that a supervisor restarting what exits does not restart it in a loop.
    Meanwhile the heartbeat of process ``name`` holds the line, for its healthcheck."""
    try:
        main()
    except ConfigError as error:
        print(error.code, file=sys.stderr, flush=True)
        if on_config_error() is OnConfigError.WAIT:
            beat = None if name is None else heartbeat_from_environment(name)
            with holding_error(beat, str(error.code)):
                stops = {signal.SIGTERM, signal.SIGINT}
                signal.pthread_sigmask(signal.SIG_BLOCK, stops)
                signal.sigwait(stops)
        raise SystemExit(CONFIG_ERROR_EXIT) from None


def run_process(
    serve: Callable[[Shop], Job], name: str | None = None, *, figures: bool = False
) -> None:
    """Open the shop and run ``serve(shop)`` beside the recovery loop (and the embedded
    engine's keeper, and with ``HEARTBEAT_DIR`` the heartbeat of process ``name``) until
    SIGINT/SIGTERM, or until one of them ends or fails (a failure is raised; an embedded
    engine that cannot be kept up, or a database that does not answer within
    ``DB_WAIT_SECONDS``, stops the process with one line).

    With ``METRICS_PORT`` the process serves its metrics meanwhile, and the shop's figures
    if ``METRICS_SHOP_FIGURES`` (default: ``figures``) says so (``runtime/metrics.py``)."""
    configure_logging(load(LogSettings))
    ensure_generated_secret()
    settings, runtime, metrics = load(CoreSettings), load(RuntimeSettings), load(MetricsSettings)

    async def run() -> None:
        async with (
            database(settings, runtime.db_wait_seconds) as db,
            open_shop(settings, db.uri, watcher=CountRecoveries()) as shop,
            serve_metrics(shop, metrics, figures=figures),
        ):
            jobs = [serve(shop), shop.keep_recovering(), db.kept_up()]
            if name is not None and runtime.heartbeat_dir is not None:
                path = heartbeat_file(runtime.heartbeat_dir, name)
                jobs.append(keep_beating(path, runtime.heartbeat_seconds, shop.is_ready))
            await run_until_stopped(*jobs)

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
