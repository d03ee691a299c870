"""Back in stock, the bot's side: the "🔔 Notify me" / "Don't notify me" row of a sold-out
product's card, what pressing it says, and the alert with its button to the product
(``core/catalog/restock_alerts.py`` has the rules; ``bot/handlers/restock.py`` the presses).
"""

from __future__ import annotations

from aiogram import html
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ProductCard
from core.catalog.models import Product
from core.messaging.models import BackInStockAlert


class Watch(CallbackData, prefix="rn"):
    """Ask (``on``) or stop asking to hear when the product is back in stock."""

    product_id: str
    on: bool


def watch_button(product_id: str, watching: bool) -> InlineKeyboardButton:
    """The card's "🔔 Notify me" button (or, once pressed, "Don't notify me")."""
    text = _("🔕 Don't notify me") if watching else _("🔔 Notify me")
    data = Watch(product_id=product_id, on=not watching)
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def add_watch_row(builder: InlineKeyboardBuilder, item: Product, watching: bool) -> None:
    """A sold-out product card's row: the button to hear when it is back."""
    if item.stock == 0:
        builder.row(watch_button(str(item.id), watching))


def swap_watch_button(
    markup: InlineKeyboardMarkup, product_id: str, watching: bool | None
) -> InlineKeyboardMarkup:
    """The card's keyboard as it is, with the watch button showing ``watching`` (left out
    when ``watching`` is ``None``: the product is in stock now)."""
    rows = []
    for row in markup.inline_keyboard:
        kept = [
            button
            for button in row
            if not (button.callback_data or "").startswith(f"{Watch.__prefix__}:")
        ]
        if len(kept) < len(row) and watching is not None:
            kept.append(watch_button(product_id, watching))
        if kept:
            rows.append(kept)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def watching() -> str:
    return _("We'll message you once when it's back in stock.")


def not_watching() -> str:
    return _("OK, no message when it's back.")


def in_stock_now() -> str:
    return _("Good news: it's in stock now. Open it again to add it to your cart.")


def alert(notice: BackInStockAlert) -> tuple[str, InlineKeyboardMarkup]:
    """The message a subscriber gets, with a button that opens the product."""
    name = html.quote(notice.product_name)
    text = _("Back in stock: <b>{name}</b>. Order it while it lasts!").format(name=name)
    opened = ProductCard(product_id=str(notice.product_id))
    label = _("Open {name}").format(name=notice.product_name)
    button = InlineKeyboardButton(text=label, callback_data=opened.pack())
    return text, InlineKeyboardMarkup(inline_keyboard=[[button]])
