"""The operators' group hears of low stock through the notifier, once per crossing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.config import BotSettings
from core.shop import Shop
from sandbox import FakeGroup, FakeUser, SandboxServer
from tests.bot.chat import Customer, fill_cart
from tests.bot.workers import working


async def test_the_operators_group_hears_once_when_orders_take_stock_low(
    shop: Shop,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    customer: Customer,
    make_user: Callable[..., FakeUser],
    new_product: Callable[..., Any],
) -> None:
    operators = FakeGroup.create(sandbox_server.sandbox, "Operators", [make_user("Olga")])
    settings = {"operator_chat_id": operators.id, "low_stock_threshold": 2}
    watched = Shop.build(shop.settings.model_copy(update=settings), shop.client)
    tea = await new_product("Tea <Sencha>", stock=4)
    _, alice = await customer("Alice")
    async with working(watched, bot_settings):
        for _ in range(3):  # 3 (above), 2 (crossed), 1 (still low)
            await fill_cart(watched, alice, (tea, 1))
            await watched.checkout.place_order(alice.id)
        alert = await operators.wait_for(lambda m: "Low stock" in (m.text or ""))
        await operators.wait_for(lambda _: len(operators.chat.messages) == 3 + 1)  # new orders

    assert alert.text == "Low stock: Tea <Sencha> has 2 left (alert at 2 or fewer)."
    assert await watched.store.notifications.count_documents({"kind": "low_stock"}) == 1
