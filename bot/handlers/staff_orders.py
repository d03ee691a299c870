"""Staff and orders: the /staff menu, orders by status, an order's card, and moving it on.

The same card (and its buttons) arrives with every new order in the operators' chat (see
``bot/notifier/messages.py``). Each press acts as the presser, checked by core against
their role as it is now; a card the order has moved on from is shown again as it is now.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import staff_keyboards, staff_texts
from bot.callbacks import StaffList, StaffMenu, StaffMove, StaffOrder
from bot.config import BotSettings
from bot.screens import show
from core.accounts.access import Actor
from core.base.commands import parse
from core.sales.commands import OrderQuery
from core.sales.models import Channel
from core.shop import Shop


async def menu(event: Message | CallbackQuery, shop: Shop, actor: Actor) -> None:
    counts = await shop.staff.counts(actor)
    await show(event, staff_texts.staff_menu(counts), staff_keyboards.staff_menu())


async def order_list(
    query: CallbackQuery, callback_data: StaffList, shop: Shop, settings: BotSettings, actor: Actor
) -> None:
    status = callback_data.status
    wanted = {"status": status, "page": callback_data.page, "limit": settings.orders_page_size}
    page = await shop.orders.search(actor, parse(OrderQuery, wanted))
    await show(
        query, staff_texts.staff_orders(status, page), staff_keyboards.staff_orders(status, page)
    )


async def open_order(
    query: CallbackQuery, callback_data: StaffOrder, shop: Shop, actor: Actor
) -> None:
    view = await shop.staff.view(actor, callback_data.order_id)
    await show(
        query,
        staff_texts.order_card(view, history=True),
        staff_keyboards.order_card(view, callback_data.listed, callback_data.page),
    )


async def move(
    query: CallbackQuery,
    callback_data: StaffMove,
    shop: Shop,
    actor: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    outcome = await shop.staff.move(
        actor, callback_data.order_id, callback_data.status, callback_data.version, Channel.TELEGRAM
    )
    if not outcome.moved:
        callback_answer.text, callback_answer.show_alert = staff_texts.order_moved(), True
    listed = callback_data.listed
    text = staff_texts.order_card(outcome.view, history=listed is not None)
    await show(query, text, staff_keyboards.order_card(outcome.view, listed, callback_data.page))


def build_router() -> Router:
    router = Router(name="staff_orders")
    router.message.register(menu, Command("staff"))
    router.callback_query.register(menu, StaffMenu.filter())
    router.callback_query.register(order_list, StaffList.filter())
    router.callback_query.register(open_order, StaffOrder.filter())
    router.callback_query.register(move, StaffMove.filter())
    return router
