"""Bot fixtures: the real dispatcher, polling a sandbox served for each test, over the
test's own database; fake users to play the customers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

from bot.bootstrap import create_bot, create_dispatcher
from bot.config import BotSettings
from bot.i18n import load_catalogs
from bot.polling import poll
from core.accounts.commands import TelegramSignup
from core.accounts.models import Language, User
from core.base.commands import HistoryQuery
from core.catalog.models import Product
from core.sales.commands import CartChange
from core.sales.models import Order
from core.shop import Shop
from sandbox import DEFAULT_TOKEN, FakeUser, Message, Sandbox, SandboxServer
from sandbox.testing import polling, running_sandbox

RunBot = Callable[[], AbstractAsyncContextManager[Any]]
Customer = Callable[..., Awaitable[tuple[FakeUser, User]]]


def make_bot_settings(server: SandboxServer, **overrides: Any) -> BotSettings:
    values: dict[str, Any] = {
        "bot_token": DEFAULT_TOKEN,
        "bot_api_base_url": server.url,
        "catalog_page_size": 3,
        **overrides,
    }
    return BotSettings(_env_file=None, **values)


@pytest.fixture
async def sandbox_server() -> AsyncIterator[SandboxServer]:
    async with running_sandbox() as server:
        yield server


@pytest.fixture
def bot_settings(sandbox_server: SandboxServer) -> BotSettings:
    return make_bot_settings(sandbox_server)


@pytest.fixture
def run_bot(shop: Shop, bot_settings: BotSettings, sandbox_server: SandboxServer) -> RunBot:
    """``async with run_bot():`` a fresh Bot and Dispatcher polling until the block ends;
    entering twice is a restart (same database, new FSM storage object)."""

    def run() -> AbstractAsyncContextManager[Any]:
        dispatcher = create_dispatcher(shop, bot_settings)
        return polling(dispatcher, create_bot(bot_settings), sandbox_server.sandbox, run=poll)

    return run


@pytest.fixture
async def running_bot(run_bot: RunBot) -> AsyncIterator[None]:
    async with run_bot():
        yield


@pytest.fixture
def make_user(sandbox_server: SandboxServer) -> Callable[..., FakeUser]:
    def make(first_name: str = "Alice", **options: Any) -> FakeUser:
        return FakeUser.create(sandbox_server.sandbox, first_name=first_name, **options)

    return make


@pytest.fixture
def customer(shop: Shop, make_user: Callable[..., FakeUser]) -> Customer:
    """A Telegram user already signed up (through core, to keep tests short)."""

    async def create(first_name: str = "Alice") -> tuple[FakeUser, User]:
        player = make_user(first_name)
        email = f"{first_name.lower()}-{uuid.uuid4().hex[:6]}@example.com"
        account = await shop.users.sign_up_telegram(
            TelegramSignup(telegram_id=player.id, name=first_name, email=email)
        )
        return player, account

    return create


async def fill_cart(shop: Shop, account: User, *lines: tuple[Product, int]) -> None:
    for product, quantity in lines:
        await shop.carts.add(account.id, CartChange(product_id=product.id, quantity=quantity))


async def orders_of(shop: Shop, account: User) -> list[Order]:
    return list((await shop.orders.history(account.id, HistoryQuery(limit=100))).items)


def english(text: Callable[..., str], *args: Any) -> str:
    """A text of ``bot/texts.py`` as the bot writes it to an English reader."""
    with load_catalogs(Language.EN).context():
        return text(*args)


async def tap(player: FakeUser, button: str) -> Message:
    """Press ``button`` on the latest keyboard; the message it was on, as the bot left it
    (the bot edits before it answers the callback query)."""
    query = await player.press(button)
    return player.chat.messages[query.message_id]


async def review_order(player: FakeUser) -> Message:
    """Open the cart and press Checkout: the order summary."""
    await player.send("/cart")
    return await tap(player, "Checkout")


async def handle_update(
    shop: Shop, settings: BotSettings, sandbox: Sandbox, message: Message
) -> None:
    """The bot handles a ``message`` update for ``message`` to the end, without polling (its
    replies reach the sandbox): a test can then tell that it answered nothing."""
    bot = create_bot(settings)
    try:
        update = {"update_id": 1, "message": sandbox.message_api(message)}
        await create_dispatcher(shop, settings).feed_raw_update(bot, update)
    finally:
        await bot.session.close()
