"""Driving the bot in tests: its settings for a sandbox, carts and orders through core,
and a customer's taps in the chat."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from bot.bootstrap import create_bot, create_dispatcher
from bot.config import BotSettings
from bot.i18n import load_catalogs
from core.accounts.models import Language, User
from core.base.commands import HistoryQuery
from core.catalog.models import Product
from core.sales.commands import CartChange
from core.sales.models import Order
from core.shop import Shop
from sandbox import DEFAULT_TOKEN, FakeUser, Message, Sandbox, SandboxServer

RunBot = Callable[[], AbstractAsyncContextManager[Any]]
"""``async with run_bot():`` the bot polling the test's sandbox until the block ends."""
Customer = Callable[..., Awaitable[tuple[FakeUser, User]]]
"""``await customer("Alice")``: a Telegram user already signed up, and their account."""


def make_bot_settings(server: SandboxServer, **overrides: Any) -> BotSettings:
    values: dict[str, Any] = {
        "bot_token": DEFAULT_TOKEN,
        "bot_api_base_url": server.url,
        "catalog_page_size": 3,
        **overrides,
    }
    return BotSettings(_env_file=None, **values)


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


def media_edits(sandbox: Sandbox) -> list[str]:
    """How each editMessageMedia named its photo: ``attach://...`` (an upload) or an id."""
    return [
        json.loads(call.params["media"])["media"]
        for call in sandbox.calls
        if call.method == "editMessageMedia"
    ]


def bot_id(sandbox: Sandbox) -> int:
    return int(sandbox.token.split(":")[0])
