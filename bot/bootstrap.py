"""The bot's factories: one Bot and one Dispatcher per process, wired to one Shop."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.fsm.storage.base import BaseEventIsolation
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import BotCommand
from aiogram.utils.callback_answer import CallbackAnswerMiddleware
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.broadcast_progress import ProgressReporter
from bot.config import BotMode, BotSettings
from bot.customers import CustomerLookup
from bot.errors import ErrorReplies
from bot.handlers import build_routers
from bot.i18n import CustomerLanguage, load_catalogs
from bot.isolation import SharedEventIsolation
from bot.metrics import TimeUpdates
from bot.polling import poll
from bot.response_types import KeepResponseTypes
from bot.retries import RetryRequests, Sleep
from bot.session import BotApiSession
from bot.shown import ShownMessages
from bot.star_ledger import keep_reconciling
from bot.storage import ShopStorage, VisitFSM
from bot.webhook import serve_webhook
from core.accounts.models import Language
from core.config import ConfigError
from core.sales.models import PaymentMethod
from core.shop import Shop
from runtime.process import first_to_end

log = logging.getLogger(__name__)


def commands() -> list[BotCommand]:
    """The command menu, in the language of the current context."""
    return [
        BotCommand(command="start", description=_("Main menu")),
        BotCommand(command="catalog", description=_("Browse products")),
        BotCommand(command="cart", description=_("Your cart and checkout")),
        BotCommand(command="orders", description=_("Your orders")),
        BotCommand(command="profile", description=_("Name, email, password, language")),
        BotCommand(command="help", description=_("How to shop here")),
        BotCommand(command="cancel", description=_("Leave what you are doing")),
        BotCommand(command="paysupport", description=_("Help with a payment")),
    ]


def create_bot(
    settings: BotSettings, *, retry_replies: bool = True, sleep: Sleep = asyncio.sleep
) -> Bot:
    """A Bot for ``BOT_TOKEN`` talking to ``BOT_API_BASE_URL`` (Telegram's by default).

    ``retry_replies``: a request answered 429 or 5xx, or lost to the network, waits (with
    ``sleep``) and goes again (``bot/retries.py``); the notifier turns it off and
    reschedules instead. A polling bot does not send an edit that changes nothing
    (``bot/shown.py``).
    """
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is not set")
    server = (
        TelegramAPIServer.from_base(settings.bot_api_base_url)
        if settings.bot_api_base_url
        else PRODUCTION
    )
    session = BotApiSession(api=server)
    session.middleware(KeepResponseTypes())
    if settings.bot_mode is BotMode.POLLING:
        session.middleware(ShownMessages())
    if retry_replies:
        session.middleware(RetryRequests(sleep=sleep))
    return Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


async def check_token(bot: Bot) -> None:
    """Ask Telegram who the bot is (getMe) before serving: a token Telegram refuses is a
    configuration error, one line; an unreachable Telegram is only logged (the process then
    tries as it always does)."""
    try:
        await bot.get_me()
    except TelegramUnauthorizedError:
        raise ConfigError(
            "configuration error: BOT_TOKEN was refused by Telegram (Unauthorized); "
            "copy the token again from @BotFather"
        ) from None
    except (TelegramNetworkError, TelegramServerError) as error:
        log.warning("BOT_TOKEN not checked: Telegram did not answer", extra={"error": str(error)})


def create_dispatcher(shop: Shop, settings: BotSettings) -> Dispatcher:
    """Routers, middlewares and FSM state in the shop's MongoDB database.

    Handlers receive ``shop``, ``settings``, ``customer`` (the linked account or None),
    ``seen_cart`` (their cart as the update began) and ``i18n``; texts come out in the
    customer's language (``bot/i18n.py``). The account, the cart and the FSM state are read
    in one round trip (``bot/storage.py``).
    Updates of one user are handled one at a time, so their FSM steps cannot interleave:
    within the process when polling (Telegram lets only one process poll), across every
    process sharing the database in webhook mode.
    """
    i18n = load_catalogs(settings.default_language)
    storage = ShopStorage(shop, shop.settings.fsm_collection)
    isolation = _isolation(shop, settings)
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        disable_fsm=True,  # in favour of VisitFSM, which reads the state with the account
        shop=shop,
        settings=settings,
        i18n=i18n,
    )
    dispatcher.fsm = VisitFSM(storage, isolation, shop.visits)
    dispatcher.update.outer_middleware(TimeUpdates())  # first: it times all that follows
    dispatcher.update.outer_middleware(dispatcher.fsm)
    for observer in (dispatcher.message, dispatcher.callback_query):
        observer.outer_middleware(CustomerLookup(shop))
    CustomerLanguage(i18n).setup(dispatcher)  # after the lookup: it reads the customer
    dispatcher.callback_query.middleware(CallbackAnswerMiddleware())
    for observer in (dispatcher.message, dispatcher.callback_query):
        observer.middleware(ErrorReplies())
    dispatcher.include_routers(*build_routers())
    dispatcher.startup.register(_announce_commands)
    return dispatcher


def _isolation(shop: Shop, settings: BotSettings) -> BaseEventIsolation:
    if settings.bot_mode is BotMode.WEBHOOK:
        return SharedEventIsolation(shop.leases, timedelta(seconds=settings.event_lease_seconds))
    return SimpleEventIsolation()


async def run_bot(shop: Shop, settings: BotSettings) -> None:
    """Handle updates by long polling or webhook (``BOT_MODE``) until cancelled, keep
    broadcast progress messages up to date and, with Stars, reconcile Stars payments."""
    bot = create_bot(settings)
    try:
        await check_token(bot)
        dispatcher = create_dispatcher(shop, settings)
        catalogs = load_catalogs(settings.default_language)
        reporter = ProgressReporter(shop.broadcasts, bot, catalogs)
        jobs = [
            _serve(dispatcher, bot, settings),
            reporter.run(settings.broadcast_progress_seconds),
        ]
        if PaymentMethod.STARS in shop.payments.methods:
            jobs.append(keep_reconciling(shop, bot, settings.stars_reconcile_seconds))
        await first_to_end(*jobs)
    finally:
        await bot.session.close()


async def _serve(dispatcher: Dispatcher, bot: Bot, settings: BotSettings) -> None:
    if settings.bot_mode is BotMode.WEBHOOK:
        await serve_webhook(dispatcher, bot, settings)
    else:
        await bot.delete_webhook()  # left by webhook mode, whose processes keep it set
        await poll(dispatcher, bot)


async def _announce_commands(bot: Bot, i18n: I18n) -> None:
    """The command menu in every language: Telegram shows each user their app's, and the
    default language's to the rest."""
    with i18n.context():
        for language in Language:
            with i18n.use_locale(language.value):
                await bot.set_my_commands(commands(), language_code=language.value)
        with i18n.use_locale(i18n.default_locale):
            await bot.set_my_commands(commands())
