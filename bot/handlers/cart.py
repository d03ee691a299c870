"""The cart: lines with quantities and totals; change a line, remove it, or clear them all."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot import keyboards, texts
from bot.callbacks import ClearCart, Open, Section, SetLine
from bot.screens import show
from core.accounts.models import User
from core.base.commands import parse
from core.sales.carts import CartRead
from core.sales.commands import CartChange, CartRemoval
from core.sales.models import CartView
from core.shop import Shop


async def show_cart(event: Message | CallbackQuery, cart: CartView) -> None:
    await show(event, texts.cart(cart), keyboards.cart(cart))


async def open_cart(
    event: Message | CallbackQuery, shop: Shop, customer: User, seen_cart: CartRead | None
) -> None:
    await show_cart(event, await shop.cart_codes.view(customer.id, seen_cart))


async def remove_line(
    query: CallbackQuery,
    callback_data: SetLine,
    shop: Shop,
    customer: User,
    seen_cart: CartRead | None,
) -> None:
    removal = parse(
        CartRemoval,
        {"productId": callback_data.product_id, "variantId": callback_data.variant_id or None},
    )
    cart = await shop.carts.remove(customer.id, removal, seen_cart)
    await show_cart(query, await shop.cart_codes.quoted(cart))


async def set_line(
    query: CallbackQuery,
    callback_data: SetLine,
    shop: Shop,
    customer: User,
    seen_cart: CartRead | None,
) -> None:
    change = parse(
        CartChange,
        {
            "productId": callback_data.product_id,
            "quantity": callback_data.quantity,
            "variantId": callback_data.variant_id or None,
        },
    )
    cart = await shop.carts.set_quantity(customer.id, change, seen_cart)
    await show_cart(query, await shop.cart_codes.quoted(cart))


async def clear(
    query: CallbackQuery, shop: Shop, customer: User, seen_cart: CartRead | None
) -> None:
    cart = await shop.carts.clear(customer.id, seen_cart)
    await show_cart(query, await shop.cart_codes.quoted(cart))


def build_router() -> Router:
    router = Router(name="cart")
    router.message.register(open_cart, Command("cart"))
    router.callback_query.register(open_cart, Open.filter(F.section == Section.CART))
    router.callback_query.register(remove_line, SetLine.filter(F.quantity == 0))
    router.callback_query.register(set_line, SetLine.filter())
    router.callback_query.register(clear, ClearCart.filter())
    return router
