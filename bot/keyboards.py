"""Inline keyboards. Each builder takes what the screen shows and returns the markup."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import promo_keyboards, restock, texts
from bot.callbacks import (
    ALL_PRODUCTS,
    AddNote,
    AddToCart,
    AskErasure,
    CatalogPage,
    Checkout,
    CheckoutStep,
    ChooseDelivery,
    ChooseLanguage,
    ClearCart,
    EditProfile,
    EraseMyData,
    KeepName,
    MyData,
    Open,
    OrderCard,
    OrdersPage,
    Pay,
    PayByHand,
    ProductCard,
    ProfileEdit,
    ReuseDelivery,
    Section,
    SetLine,
    SwitchCartReminders,
)
from bot.share import share_button
from core.accounts.models import Language, User
from core.base.models import Page
from core.catalog.commands import NO_CATEGORY
from core.catalog.models import Product, Shelves
from core.sales.commands import MAX_LINE_QUANTITY
from core.sales.models import CartItem, CartView, DeliveryMethod, Order, OrderStatus, PaymentMethod


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _home() -> InlineKeyboardButton:
    return button(_("« Menu"), Open(section=Section.HOME))


def _to_cart() -> InlineKeyboardButton:
    return button(_("🛒 Cart"), Open(section=Section.CART))


def _to_catalog() -> InlineKeyboardButton:
    return button(_("🛍 Catalog"), Open(section=Section.CATALOG))


def _cancel() -> InlineKeyboardButton:
    """Leaves checkout for the cart."""
    return button(_("Cancel"), Open(section=Section.CART))


def main_menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_to_catalog(), _to_cart()],
            [
                button(_("📦 Orders"), Open(section=Section.ORDERS)),
                button(_("👤 Profile"), Open(section=Section.PROFILE)),
            ],
        ]
    )


def keep_name(name: str) -> InlineKeyboardMarkup:
    keep = _("Keep “{name}”").format(name=name)
    return InlineKeyboardMarkup(inline_keyboard=[[button(keep, KeepName())]])


def pager(page: int, pages: int, make: Callable[[int], CallbackData]) -> list[InlineKeyboardButton]:
    """◀ and ▶ around "page/pages"; ``make(page)`` builds the callback data."""
    row = []
    if page > 1:
        row.append(button("◀", make(page - 1)))
    if pages > 1:
        row.append(button(f"{page}/{pages}", make(page)))
    if page < pages:
        row.append(button("▶", make(page + 1)))
    return row


def shelves(index: Shelves) -> InlineKeyboardMarkup:
    """A button per category, then "Other" for products in none (if there are some)."""
    builder = InlineKeyboardBuilder()
    for shelf in index.items:
        label = texts.shelf_button(shelf.name, shelf.products)
        builder.row(button(label, CatalogPage(page=1, category=str(shelf.id))))
    if index.uncategorized:
        label = texts.shelf_button(texts.other_shelf(), index.uncategorized)
        builder.row(button(label, CatalogPage(page=1, category=NO_CATEGORY)))
    builder.row(_to_cart(), _home())
    return builder.as_markup()


def catalog(
    page: Page[Product],
    search: bool,
    category: str,
    above: Sequence[InlineKeyboardButton] = (),
    back: InlineKeyboardButton | None = None,
) -> InlineKeyboardMarkup:
    """Products of a page, after the buttons ``above`` (a category's subcategories), one a
    row; a category's page goes ``back`` (unset: to the categories). (Rows made here:
    a builder's ``as_markup`` deep-copies every button, a few percent of a page's work.)"""
    rows = [[up] for up in above] + [
        [
            button(
                texts.product_button(item),
                ProductCard(
                    product_id=str(item.id), page=page.page, search=search, category=category
                ),
            )
        ]
        for item in page.items
    ]
    turn = pager(
        page.page, page.pages, lambda n: CatalogPage(page=n, search=search, category=category)
    )
    if turn:
        rows.append(turn)
    if category != ALL_PRODUCTS:
        rows.append([back or button(_("« Categories"), Open(section=Section.CATALOG))])
    rows.append([_to_cart(), _home()])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def most_to_pick(stock: int) -> int:
    """The quantity picker's upper end: what is in stock, within one line's limit."""
    return max(1, min(stock, MAX_LINE_QUANTITY))


def quantity_row(
    quantity: int, stock: int, pick: Callable[[int], CallbackData]
) -> list[InlineKeyboardButton]:
    """- n +: the picker of a card, kept between 1 and ``most_to_pick(stock)``."""
    most = most_to_pick(stock)
    return [
        button("-", pick(max(1, quantity - 1))),
        button(str(quantity), pick(quantity)),
        button("+", pick(min(most, quantity + 1))),
    ]


def product(
    item: Product,
    quantity: int,
    page: int,
    search: bool,
    category: str,
    watching: bool = False,
    *,
    bot_username: str | None = None,
) -> InlineKeyboardMarkup:
    """``watching``: the customer asked to hear when the sold-out product is back."""

    def pick(n: int) -> ProductCard:
        return ProductCard(
            product_id=str(item.id), quantity=n, page=page, search=search, category=category
        )

    builder = InlineKeyboardBuilder()
    builder.row(*quantity_row(quantity, item.stock, pick))
    if item.stock > 0:
        add = AddToCart(product_id=str(item.id), quantity=quantity)
        builder.row(button(_("Add to cart"), add))
    restock.add_watch_row(builder, item, watching)
    if bot_username:
        builder.row(share_button(item, bot_username))
    back = CatalogPage(page=page, search=search, category=category)
    builder.row(button(_("« Back"), back), _to_cart())
    return builder.as_markup()


def cart(view: CartView) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for item in view.items:
        builder.row(
            button(f"- {item.name}", _set_line(item, item.quantity - 1)),
            button(f"+ {item.name}", _set_line(item, item.quantity + 1)),
            button(_("Remove {name}").format(name=item.name), _set_line(item, 0)),
        )
    if not view.is_empty:
        builder.row(*promo_keyboards.cart_row(view))
        builder.row(
            button(_("Clear cart"), ClearCart()),
            button(_("Checkout"), Checkout(step=CheckoutStep.REVIEW)),
        )
    builder.row(_to_catalog(), _home())
    return builder.as_markup()


def _set_line(item: CartItem, quantity: int) -> SetLine:
    variant_id = "" if item.variant_id is None else str(item.variant_id)
    return SetLine(product_id=str(item.product_id), quantity=quantity, variant_id=variant_id)


def checkout_summary(view: CartView, details: str = "") -> InlineKeyboardMarkup:
    """Confirm names the cart version and the delivery details' fingerprint it shows."""
    confirm = Checkout(step=CheckoutStep.CONFIRM, version=view.version, details=details)
    rows = [[button(_("✅ Confirm order"), confirm), _cancel()]]
    if details:
        rows.insert(0, [button(_("📝 Note for the shop"), AddNote())])
    if without := promo_keyboards.summary_row(view):
        rows.insert(0, without)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def delivery_methods(methods: tuple[DeliveryMethod, ...], currency: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for method in methods:
        builder.row(button(texts.method_button(method, currency), ChooseDelivery(code=method.code)))
    builder.row(_cancel())
    return builder.as_markup()


def same_details() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(_("Yes, the same"), ReuseDelivery(reuse=True)),
                button(_("Change"), ReuseDelivery(reuse=False)),
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


def payment(order: Order, methods: Sequence[PaymentMethod]) -> list[list[InlineKeyboardButton]]:
    """A button per way to pay ``order`` while it is unpaid; by hand only beside another."""
    if order.status is not OrderStatus.PENDING or order.payment.telegram_payment_charge_id:
        return []
    online = [m for m in methods if m is not PaymentMethod.MANUAL]
    rows = [
        [button(texts.pay_button(order, m), Pay(order_id=str(order.id), method=m))] for m in online
    ]
    chosen = order.payment.method is PaymentMethod.MANUAL
    if online and PaymentMethod.MANUAL in methods and not chosen:
        rows.append([button(texts.pay_by_hand(), PayByHand(order_id=str(order.id)))])
    return rows


def order_placed(order: Order, methods: Sequence[PaymentMethod]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            *payment(order, methods),
            [button(_("📦 My orders"), Open(section=Section.ORDERS)), _home()],
        ]
    )


def orders(page: Page[Order]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for item in page.items:
        builder.row(
            button(texts.order_button(item), OrderCard(order_id=str(item.id), page=page.page))
        )
    builder.row(*pager(page.page, page.pages, lambda n: OrdersPage(page=n)))
    builder.row(_home())
    return builder.as_markup()


def order(item: Order, methods: Sequence[PaymentMethod], page: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            *payment(item, methods),
            [button(_("« Orders"), OrdersPage(page=page)), _home()],
        ]
    )


def open_order(order_id: object, number: int) -> InlineKeyboardMarkup:
    """Under a status notification: opens the order (core checks it is the reader's)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(
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
                button(_("Change name"), EditProfile(field=ProfileEdit.NAME)),
                button(password, EditProfile(field=ProfileEdit.PASSWORD)),
            ],
            [button(_("🌐 Language"), EditProfile(field=ProfileEdit.LANGUAGE)), _home()],
            [button(_("🔒 Your data"), MyData())],
            [cart_reminders_switch(user)],
        ]
    )


def cart_reminders_switch(user: User) -> InlineKeyboardButton:
    """Turns the customer's cart reminders off, or back on."""
    wanted = not user.cart_reminders
    label = (
        _("🔕 Turn off cart reminders") if user.cart_reminders else _("🔔 Turn on cart reminders")
    )
    return button(label, SwitchCartReminders(on=wanted))


def back_to_cart() -> InlineKeyboardMarkup:
    """Under a cart reminder."""
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(_("🛒 Back to cart"), Open(section=Section.CART))]]
    )


def your_data() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(_("Delete my data"), AskErasure())],
            [_to_profile()],
        ]
    )


def confirm_erasure(token: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(_("Yes, delete my data"), EraseMyData(token=token))],
            [button(_("No, keep it"), Open(section=Section.PROFILE))],
        ]
    )


def _to_profile() -> InlineKeyboardButton:
    return button(_("« Profile"), Open(section=Section.PROFILE))


def languages() -> InlineKeyboardMarkup:
    """One button per language, each in its own words; the current one ticked."""
    builder = InlineKeyboardBuilder()
    for language in Language:
        mark = "✓ " if language is texts.current_language() else ""
        name = f"{mark}{texts.language_name(language)}"
        builder.row(button(name, ChooseLanguage(language=language)))
    builder.row(_to_profile())
    return builder.as_markup()
