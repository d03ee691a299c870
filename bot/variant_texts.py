"""What the "choose an option" step says (see ``bot/texts.py`` on translations)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.texts import CAPTION_DESCRIPTION, clip, money, stock_hint
from core.catalog.models import Product
from core.catalog.variants.models import Variant


def _header(item: Product) -> list[str]:
    lines = [f"<b>{html.quote(item.name)}</b>"]
    if item.description:
        limit = CAPTION_DESCRIPTION if item.photo else len(item.description)
        lines.append(html.quote(clip(item.description, limit)))
    return lines


def options_card(item: Product, offered: Sequence[Variant]) -> str:
    """The card of a product sold by variant: its options in stock to choose from."""
    prices = sorted({v.unit_price(item) for v in offered} or {item.price})
    price = money(prices[0], item.currency)
    shown = _("from {price}").format(price=price) if len(prices) > 1 else price
    lines = [*_header(item), "", _("Price: {price}").format(price=shown)]
    if offered:
        lines.append(_("Choose an option:"))
    else:
        lines.append(_("No option is in stock right now."))
    return "\n".join(lines)


def variant_button(item: Product, variant: Variant) -> str:
    """An option to choose: its name, and its price where it is not the product's."""
    price = variant.unit_price(item)
    if price == item.price:
        return variant.name
    return f"{variant.name} · {money(price, item.currency)}"


def variant_card(item: Product, variant: Variant, quantity: int) -> str:
    lines = [
        *_header(item),
        "",
        _("Option: {name}").format(name=html.quote(variant.name)),
        _("Price: {price}").format(price=money(variant.unit_price(item), item.currency)),
        _("Availability: {hint}").format(hint=stock_hint(variant.stock)),
        _("Quantity: {quantity}").format(quantity=quantity),
    ]
    return "\n".join(lines)
