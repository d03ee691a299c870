"""Inline keyboards. Each builder takes what the screen shows and returns the markup."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import texts
from bot.callbacks import (
    AddNote,
    AddToCart,
    CatalogPage,
    Checkout,
    CheckoutStep,
    ChooseDelivery,
    ChooseLanguage,
    ClearCart,
    EditProfile,
    KeepName,
    Open,
    OrderCard,
    OrdersPage,
    ProductCard,
    ProfileEdit,
    ReuseDelivery,
    Section,
    SetLine,
)
from core.commands import MAX_LINE_QUANTITY
from core.delivery import DeliveryMethod
from core.models import CartView, Language, Order, Page, Product, User


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _home() -> InlineKeyboardButton:
    return _button(_("« Menu"), Open(section=Section.HOME))


def _to_cart() -> InlineKeyboardButton:
    return _button(_("🛒 Cart"), Open(section=Section.CART))


def _to_catalog() -> InlineKeyboardButton:
    return _button(_("🛍 Catalog"), Open(section=Section.CATALOG))


def _cancel() -> InlineKeyboardButton:
    """Leaves checkout for the cart."""
    return _button(_("Cancel"), Open(section=Section.CART))


def main_menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_to_catalog(), _to_cart()],
            [
                _button(_("📦 Orders"), Open(section=Section.ORDERS)),
                _button(_("👤 Profile"), Open(section=Section.PROFILE)),
            ],
        ]
    )


def keep_name(name: str) -> InlineKeyboardMarkup:
    keep = _("Keep “{name}”").format(name=name)
    return InlineKeyboardMarkup(inline_keyboard=[[_button(keep, KeepName())]])


def _pager(
    page: int, pages: int, make: Callable[[int], CallbackData]
) -> list[InlineKeyboardButton]:
    """◀ and ▶ around "page/pages"; ``make(page)`` builds the callback data."""
    row = []
    if page > 1:
        row.append(_button("◀", make(page - 1)))
    if pages > 1:
        row.append(_button(f"{page}/{pages}", make(page)))
    if page < pages:
        row.append(_button("▶", make(page + 1)))
    return row


def catalog(page: Page[Product], search: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for item in page.items:
        card = ProductCard(product_id=str(item.id), page=page.page, search=search)
        builder.row(_button(texts.product_button(item), card))
    builder.row(*_pager(page.page, page.pages, lambda n: CatalogPage(page=n, search=search)))
    builder.row(_to_cart(), _home())
    return builder.as_markup()


def most_to_pick(item: Product) -> int:
    """The quantity picker's upper end: what is in stock, within one line's limit."""
    return max(1, min(item.stock, MAX_LINE_QUANTITY))


def product(item: Product, quantity: int, page: int, search: bool) -> InlineKeyboardMarkup:
    def pick(n: int) -> ProductCard:
        return ProductCard(product_id=str(item.id), quantity=n, page=page, search=search)

    most = most_to_pick(item)
    builder = InlineKeyboardBuilder()
    builder.row(
        _button("-", pick(max(1, quantity - 1))),
        _button(str(quantity), pick(quantity)),
        _button("+", pick(min(most, quantity + 1))),
    )
    if item.stock > 0:
        add = AddToCart(product_id=str(item.id), quantity=quantity)
        builder.row(_button(_("Add to cart"), add))
    builder.row(_button(_("« Back"), CatalogPage(page=page, search=search)), _to_cart())
    return builder.as_markup()


def cart(view: CartView) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for item in view.items:
        product_id = str(item.product_id)
        builder.row(
            _button(f"- {item.name}", SetLine(product_id=product_id, quantity=item.quantity - 1)),
            _button(f"+ {item.name}", SetLine(product_id=product_id, quantity=item.quantity + 1)),
            _button(
                _("Remove {name}").format(name=item.name),
                SetLine(product_id=product_id, quantity=0),
            ),
        )
    if not view.is_empty:
        builder.row(
            _button(_("Clear cart"), ClearCart()),
            _button(_("Checkout"), Checkout(step=CheckoutStep.REVIEW)),
        )
    builder.row(_to_catalog(), _home())
    return builder.as_markup()


def checkout_summary(view: CartView, details: str = "") -> InlineKeyboardMarkup:
    """Confirm names the cart version and the delivery details' fingerprint it shows."""
    confirm = Checkout(step=CheckoutStep.CONFIRM, version=view.version, details=details)
    rows = [[_button(_("✅ Confirm order"), confirm), _cancel()]]
    if details:
        rows.insert(0, [_button(_("📝 Note for the shop"), AddNote())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def delivery_methods(methods: tuple[DeliveryMethod, ...], currency: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for method in methods:
        builder.row(
            _button(texts.method_button(method, currency), ChooseDelivery(code=method.code))
        )
    builder.row(_cancel())
    return builder.as_markup()


def same_details() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(_("Yes, the same"), ReuseDelivery(reuse=True)),
                _button(_("Change"), ReuseDelivery(reuse=False)),
            ]
        ]
    )


def share_phone() -> ReplyKeyboardMarkup:
    """A reply keyboard whose button sends the customer's own contact (private chats only)."""
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=texts.share_phone(), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder="+44 20 7946 0958",
    )


def order_placed() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(_("📦 My orders"), Open(section=Section.ORDERS)), _home()],
        ]
    )


def orders(page: Page[Order]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for item in page.items:
        builder.row(
            _button(texts.order_button(item), OrderCard(order_id=str(item.id), page=page.page))
        )
    builder.row(*_pager(page.page, page.pages, lambda n: OrdersPage(page=n)))
    builder.row(_home())
    return builder.as_markup()


def order(page: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button(_("« Orders"), OrdersPage(page=page)), _home()]]
    )


def open_order(order_id: object, number: int) -> InlineKeyboardMarkup:
    """Under a status notification: opens the order (core checks it is the reader's)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(
                    _("Open order #{number}").format(number=number),
                    OrderCard(order_id=str(order_id)),
                )
            ]
        ]
    )


def profile(user: User) -> InlineKeyboardMarkup:
    password = _("Change password") if user.has_password else _("Set password")
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _button(_("Change name"), EditProfile(field=ProfileEdit.NAME)),
                _button(password, EditProfile(field=ProfileEdit.PASSWORD)),
            ],
            [_button(_("🌐 Language"), EditProfile(field=ProfileEdit.LANGUAGE)), _home()],
        ]
    )


def languages() -> InlineKeyboardMarkup:
    """One button per language, each in its own words; the current one ticked."""
    builder = InlineKeyboardBuilder()
    for language in Language:
        mark = "✓ " if language is texts.current_language() else ""
        name = f"{mark}{texts.language_name(language)}"
        builder.row(_button(name, ChooseLanguage(language=language)))
    builder.row(_button(_("« Profile"), Open(section=Section.PROFILE)))
    return builder.as_markup()
