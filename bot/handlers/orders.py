"""Order history with statuses, and each order's details (only the customer's own)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot import goods, keyboards, texts
from bot.callbacks import Open, OrderCard, OrdersPage, Section
from bot.config import BotSettings
from bot.screens import show
from core.accounts.models import User
from core.base.commands import HistoryQuery, parse
from core.sales.goods import methods_for
from core.shop import Shop


async def first_page(
    event: Message | CallbackQuery, shop: Shop, settings: BotSettings, customer: User
) -> None:
    await _show_page(event, shop, settings, customer, 1)


async def other_page(
    query: CallbackQuery,
    callback_data: OrdersPage,
    shop: Shop,
    settings: BotSettings,
    customer: User,
) -> None:
    await _show_page(query, shop, settings, customer, callback_data.page)


async def _show_page(
    event: Message | CallbackQuery, shop: Shop, settings: BotSettings, customer: User, page: int
) -> None:
    query = parse(HistoryQuery, {"page": page, "limit": settings.orders_page_size})
    history = await shop.orders.history(customer.id, query)
    await show(event, texts.orders(history), keyboards.orders(history))


async def order_card(
    query: CallbackQuery, callback_data: OrderCard, shop: Shop, customer: User
) -> None:
    order = await shop.orders.get_own(customer.id, callback_data.order_id)
    keyboard = keyboards.order(order, methods_for(order, shop.payments.methods), callback_data.page)
    keyboard.inline_keyboard[:0] = goods.resend_row(order)
    text = "\n".join([texts.order(order), *goods.order_lines(order)])
    await show(query, text, keyboard)


def build_router() -> Router:
    router = Router(name="orders")
    router.message.register(first_page, Command("orders"))
    router.callback_query.register(first_page, Open.filter(F.section == Section.ORDERS))
    router.callback_query.register(other_page, OrdersPage.filter())
    router.callback_query.register(order_card, OrderCard.filter())
    return router
