"""A promo code on the cart: "🏷 Promo code" asks for it, the typed code is checked by
core (a wrong, expired or used-up one gets its short reason) and the cart is shown again
with the discount as a line of its own. The code can be removed from the cart, or from a
checkout summary that refuses it (the customer then orders without it)."""

from __future__ import annotations

from aiogram import Router, html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot import promo_texts, texts
from bot.callbacks import AskPromo, DropPromo
from bot.filters import TYPED
from bot.handlers.cart import show_cart
from bot.handlers.checkout import show_summary
from bot.screens import show
from bot.states import PromoForm
from core.accounts.models import User
from core.base.commands import parse
from core.base.errors import DomainError
from core.promotions.commands import PromoEntry
from core.shop import Shop


async def ask(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(PromoForm.code)
    await show(query, promo_texts.ask_code())


async def code_typed(message: Message, shop: Shop, customer: User, state: FSMContext) -> None:
    """Add the code and show the cart; refused, say why and show the cart as it was."""
    await state.set_state(None)
    try:
        entry = parse(PromoEntry, {"code": message.text})
        cart = await shop.cart_codes.add(customer.id, entry)
    except DomainError as refused:
        await message.answer(html.quote(texts.refusal(refused)))
        await show_cart(message, await shop.cart_codes.view(customer.id))
        return
    await message.answer(promo_texts.code_added(entry.code))
    await show_cart(message, cart)


async def drop(
    query: CallbackQuery,
    callback_data: DropPromo,
    shop: Shop,
    customer: User,
    state: FSMContext,
) -> None:
    cart = await shop.cart_codes.remove(customer.id)
    if callback_data.summary:
        await show_summary(query, shop, customer, state)
    else:
        await show_cart(query, cart)


def build_router() -> Router:
    router = Router(name="promo")
    router.callback_query.register(ask, AskPromo.filter())
    router.callback_query.register(drop, DropPromo.filter())
    router.message.register(code_typed, StateFilter(PromoForm.code), TYPED)
    return router
