"""Every check in order, printed as it completes, and the exit status."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.bootstrap import create_bot
from bot.config import BotSettings
from bot.doctor.checks import Check, Status, failed, summary
from bot.doctor.payments import payment_methods
from bot.doctor.public_url import public_url
from bot.doctor.storage import database, jwt_secret
from bot.doctor.telegram import bot_identity, operators_chat, updates_route
from core.config import CoreSettings
from runtime.database import database as database_uri
from runtime.embedded import EngineUnavailable

Show = Callable[[Check], None]


async def diagnose(core: CoreSettings, settings: BotSettings, show: Show) -> list[Check]:
    """Run every check, calling ``show`` with each result as it comes."""
    checks: list[Check] = []

    def add(*found: Check) -> None:
        for check in found:
            checks.append(check)
            show(check)

    add(*await _telegram(core, settings))
    add(await public_url(settings))
    if core.mongodb_uri is not None:  # asked once, within its timeout: the check says why
        add(*await database(core, core.mongodb_uri.get_secret_value()))
    else:
        try:
            async with database_uri(core) as db:
                add(*await database(core, db.uri))
        except EngineUnavailable as error:
            add(failed(f"the embedded database cannot start: {error}", "set MONGODB_URI"))
    add(jwt_secret(core))
    return checks


async def _telegram(core: CoreSettings, settings: BotSettings) -> list[Check]:
    if settings.bot_token is None:
        return [
            failed(
                "BOT_TOKEN is not set: the bot cannot reach Telegram (./run serves an offline "
                "sandbox instead)",
                "create a bot with @BotFather (/newbot) and put its token in .env as BOT_TOKEN",
            )
        ]
    bot = create_bot(settings, retry_replies=False)
    try:
        identity, me = await bot_identity(bot, settings)
        if me is None:
            return [identity]
        return [
            identity,
            await updates_route(bot, settings),
            await operators_chat(bot, settings, me, core.operator_chat_id),
            *await payment_methods(bot, core, settings),
        ]
    finally:
        await bot.session.close()


def run(core: CoreSettings, settings: BotSettings) -> int:
    """Check, print each line as it comes and the summary; the exit status: 1 on a failure."""
    print("Checking the shop's configuration (the environment and .env)...", flush=True)
    checks = asyncio.run(diagnose(core, settings, lambda c: print(c.line(), flush=True)))
    print(summary(checks))
    return 1 if any(c.status is Status.FAILED for c in checks) else 0
