"""The promo code's buttons on the cart and the checkout summary."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton

from bot import promo_texts
from bot.callbacks import AskPromo, DropPromo
from core.sales.models import CartView


def cart_row(view: CartView) -> list[InlineKeyboardButton]:
    """ "🏷 Promo code" to add one, or a button to remove the one the cart holds."""
    if view.promo is None:
        return [
            InlineKeyboardButton(text=promo_texts.promo_button(), callback_data=AskPromo().pack())
        ]
    text = promo_texts.remove_button(view.promo.code)
    return [InlineKeyboardButton(text=text, callback_data=DropPromo().pack())]


def summary_row(view: CartView) -> list[InlineKeyboardButton]:
    """On a summary whose code is refused: order without it (drop it, show the summary)."""
    if view.promo is None or view.promo.problem is None:
        return []
    text = promo_texts.order_without()
    return [InlineKeyboardButton(text=text, callback_data=DropPromo(summary=True).pack())]
