"""Browsing: a paginated product list, a product card with a quantity picker, and search by
typing text. The last search is kept in the FSM data for its page buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import keyboards, texts
from bot.callbacks import AddToCart, CatalogPage, Open, ProductCard, Section
from bot.config import BotSettings
from bot.screens import show
from core.commands import CartChange, ProductQuery, parse
from core.models import User
from core.shop import Shop

SEARCH = "search"
MAX_QUERY = 100


async def first_page(event: Message | CallbackQuery, shop: Shop, settings: BotSettings) -> None:
    await _show_page(event, shop, settings, 1, "")


async def other_page(
    query: CallbackQuery,
    callback_data: CatalogPage,
    state: FSMContext,
    shop: Shop,
    settings: BotSettings,
) -> None:
    search = (await state.get_data()).get(SEARCH, "") if callback_data.search else ""
    await _show_page(query, shop, settings, callback_data.page, search)


async def search(message: Message, state: FSMContext, shop: Shop, settings: BotSettings) -> None:
    text = (message.text or "").strip()[:MAX_QUERY]
    await state.update_data({SEARCH: text})
    await _show_page(message, shop, settings, 1, text)


async def _show_page(
    event: Message | CallbackQuery, shop: Shop, settings: BotSettings, page: int, search: str
) -> None:
    """The page asked for, or the last one if the catalog shrank since the button was made."""
    query = {"page": page, "limit": settings.catalog_page_size, "q": search}
    products = await shop.catalog.list(parse(ProductQuery, query))
    if products.page > products.pages:
        products = await shop.catalog.list(parse(ProductQuery, {**query, "page": products.pages}))
    await show(event, texts.catalog(products, search), keyboards.catalog(products, bool(search)))


async def product_card(query: CallbackQuery, callback_data: ProductCard, shop: Shop) -> None:
    product = await shop.catalog.get(callback_data.product_id)
    quantity = min(max(callback_data.quantity, 1), keyboards.most_to_pick(product))
    markup = keyboards.product(product, quantity, callback_data.page, callback_data.search)
    await show(query, texts.product(product, quantity), markup)


async def add_to_cart(
    query: CallbackQuery,
    callback_data: AddToCart,
    shop: Shop,
    customer: User,
    callback_answer: CallbackAnswer,
) -> None:
    change = parse(
        CartChange, {"productId": callback_data.product_id, "quantity": callback_data.quantity}
    )
    cart = await shop.carts.add(customer.id, change)
    name = next(item.name for item in cart.items if item.product_id == change.product_id)
    callback_answer.text = texts.added(name, change.quantity)


def build_router() -> Router:
    router = Router(name="catalog")
    router.message.register(first_page, Command("catalog"))
    router.callback_query.register(first_page, Open.filter(F.section == Section.CATALOG))
    router.callback_query.register(other_page, CatalogPage.filter())
    router.message.register(search, StateFilter(None), F.text, ~F.text.startswith("/"))
    router.callback_query.register(product_card, ProductCard.filter())
    router.callback_query.register(add_to_cart, AddToCart.filter())
    return router
