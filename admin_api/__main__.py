"""``python -m admin_api``: serve the HTTP API alone until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiohttp import web

from admin_api.app import create_app
from admin_api.config import ApiSettings
from admin_api.logs import configure_logging
from core.config import CoreSettings, ensure_generated_secret, load
from core.shop import database_uri, open_shop

log = logging.getLogger("admin_api")


async def serve(core_settings: CoreSettings, settings: ApiSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with database_uri(core_settings) as uri, open_shop(core_settings, uri) as shop:
        runner = web.AppRunner(create_app(shop, settings), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.api_host, settings.api_port).start()
            log.info("listening", extra={"host": settings.api_host, "port": settings.api_port})
            recovery = asyncio.create_task(shop.keep_recovering())
            await stop.wait()
            recovery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recovery
        finally:
            await runner.cleanup()
    log.info("stopped")


def main() -> None:
    ensure_generated_secret()
    core_settings = load(CoreSettings)
    settings = load(ApiSettings)
    configure_logging(settings.log_level)
    asyncio.run(serve(core_settings, settings))


if __name__ == "__main__":
    main()
