"""``python -m admin_api``: serve the HTTP API alone until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import logging

from admin_api.app import run_api
from admin_api.config import ApiSettings
from core.config import CoreSettings, ensure_generated_secret, load
from core.logs import LogSettings, configure_logging
from core.processes import run_until_stopped
from core.shop import database_uri, open_shop

log = logging.getLogger("admin_api")


async def serve(core_settings: CoreSettings, settings: ApiSettings) -> None:
    async with database_uri(core_settings) as uri, open_shop(core_settings, uri) as shop:
        await run_until_stopped(run_api(shop, settings), shop.keep_recovering())
    log.info("stopped")


def main() -> None:
    ensure_generated_secret()
    core_settings = load(CoreSettings)
    settings = load(ApiSettings)
    configure_logging(load(LogSettings))
    asyncio.run(serve(core_settings, settings))


if __name__ == "__main__":
    main()
