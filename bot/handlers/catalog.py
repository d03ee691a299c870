"""Browsing: the categories (when the shop has any), a category's products page by page, a
product card with a quantity picker, and search across everything by typing text. The last
search is kept in the FSM data for its page buttons."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import keyboards, subcategories, texts
from bot.callbacks import ALL_PRODUCTS, AddToCart, CatalogPage, Open, ProductCard, Section
from bot.cards import show_card
from bot.config import BotSettings
from bot.filters import TYPED
from bot.handlers.variants import options_card
from bot.screens import show
from core.accounts.models import User
from core.base.commands import parse
from core.catalog.commands import NO_CATEGORY, TOP_LEVEL, CategoryQuery, ProductQuery
from core.catalog.models import Product
from core.sales.carts import CartRead
from core.sales.commands import CartChange
from core.shop import Shop

SEARCH = "search"
MAX_QUERY = 100


async def first_page(event: Message | CallbackQuery, shop: Shop, settings: BotSettings) -> None:
    """The categories with their product counts; a shop without any shows all products."""
    shelves = await shop.categories.shelves(CategoryQuery(parent=TOP_LEVEL))
    if not shelves.items:
        await _show_page(event, shop, settings, 1, "", ALL_PRODUCTS)
        return
    await show(event, texts.shelves(), keyboards.shelves(shelves))


async def other_page(
    query: CallbackQuery,
    callback_data: CatalogPage,
    state: FSMContext,
    shop: Shop,
    settings: BotSettings,
) -> None:
    search = (await state.get_data()).get(SEARCH, "") if callback_data.search else ""
    await _show_page(query, shop, settings, callback_data.page, search, callback_data.category)


async def search(message: Message, state: FSMContext, shop: Shop, settings: BotSettings) -> None:
    text = (message.text or "").strip()[:MAX_QUERY]
    await state.update_data({SEARCH: text})
    await _show_page(message, shop, settings, 1, text, ALL_PRODUCTS)


async def _show_page(
    event: Message | CallbackQuery,
    shop: Shop,
    settings: BotSettings,
    page: int,
    search: str,
    category: str,
) -> None:
    """The page asked for, or the last one if the list shrank since the button was made."""
    shelf = None
    level = None
    if category == NO_CATEGORY:
        shelf = (texts.other_shelf(), "")
    elif category != ALL_PRODUCTS:
        level = await shop.categories.opened(category)
        shelf = (level.category.name, level.category.description)
    query: dict[str, object] = {"page": page, "limit": settings.catalog_page_size, "q": search}
    if category != ALL_PRODUCTS:
        query |= {"category": category, "subcategories": False}  # theirs have buttons
    products = await shop.catalog.list(parse(ProductQuery, query))
    if products.page > products.pages:
        products = await shop.catalog.list(parse(ProductQuery, {**query, "page": products.pages}))
    shown = await shop.variants.as_offered(products.items)  # sold by variant: its variants'.
    products = products.model_copy(update={"items": tuple(shown)})
    above = subcategories.subcategory_buttons(level) if level else ()
    text = texts.catalog(products, search, shelf, subcategories=bool(above))
    markup = keyboards.catalog(
        products, bool(search), category, above, subcategories.back(level) if level else None
    )
    await show(event, text, markup)


async def product_card(
    query: CallbackQuery, callback_data: ProductCard, bot: Bot, shop: Shop, customer: User
) -> None:
    product = await shop.catalog.get(callback_data.product_id)
    await open_card(query, callback_data, bot, shop, customer, product)


async def open_card(
    event: CallbackQuery | Message,
    callback_data: ProductCard,
    bot: Bot,
    shop: Shop,
    customer: User,
    product: Product,
    *,
    photo: int | None = None,
) -> None:
    """``product``'s card, as ``callback_data`` asks (the quantity, the list to go back to):
    from its button, from a start link (``bot/start_links.py``), or sent anew showing
    ``photo`` (``bot/handlers/photos.py``)."""
    if product.options:  # sold by variant: choose one first
        await options_card(event, callback_data, bot, shop, customer, product, photo=photo)
        return
    quantity = min(max(callback_data.quantity, 1), keyboards.most_to_pick(product.stock))
    watching = product.stock == 0 and await shop.restock_alerts.is_watching(customer.id, product.id)
    markup = keyboards.product(
        product,
        quantity,
        callback_data.page,
        callback_data.search,
        callback_data.category,
        watching,
        bot_username=(await bot.me()).username,
    )
    text = texts.product(product, quantity)
    await show_card(event, bot, shop, product, text, markup, photo=photo)


async def add_to_cart(
    query: CallbackQuery,
    callback_data: AddToCart,
    shop: Shop,
    customer: User,
    seen_cart: CartRead | None,
    callback_answer: CallbackAnswer,
) -> None:
    change = parse(
        CartChange, {"productId": callback_data.product_id, "quantity": callback_data.quantity}
    )
    product = await shop.carts.add_product(customer.id, change, seen_cart)
    callback_answer.text = texts.added(product.name, change.quantity)


def build_router() -> Router:
    router = Router(name="catalog")
    router.message.register(first_page, Command("catalog"))
    router.callback_query.register(first_page, Open.filter(F.section == Section.CATALOG))
    router.callback_query.register(other_page, CatalogPage.filter())
    router.message.register(search, StateFilter(None), TYPED)
    router.callback_query.register(product_card, ProductCard.filter())
    router.callback_query.register(add_to_cart, AddToCart.filter())
    return router
