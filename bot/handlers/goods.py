"""The customer asks for their digital goods again (a button under their order)."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.callbacks import ResendGoods
from bot.goods import goods_text, send_goods
from core.accounts.models import User
from core.shop import Shop


async def resend(
    query: CallbackQuery,
    callback_data: ResendGoods,
    shop: Shop,
    customer: User,
    callback_answer: CallbackAnswer,
) -> None:
    goods = await shop.deliveries.resend(customer.id, callback_data.order_id)
    order = await shop.orders.get_own(customer.id, goods.order_id)
    for line in goods.lines:
        text = goods_text(order.number, line)
        await send_goods(query.bot, shop.goods_files, query.from_user.id, line, text)  # type: ignore[arg-type]
    callback_answer.text = _("Sent again.")


def build_router() -> Router:
    router = Router(name="goods")
    router.callback_query.register(resend, ResendGoods.filter())
    return router
