"""Following a start link (``/start p-<product>``, ``c-<campaign>``; ``core/campaigns``):
the campaign is credited to the customer and the product's card opened. A stranger signs up
first; the link waits in the signup's FSM data and is followed once the account exists. A
payload that is no link of the shop's, or names a product no longer sold, starts as usual."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.types import Message

from bot.callbacks import ALL_PRODUCTS, ProductCard
from bot.handlers import catalog
from core.accounts.models import User
from core.base.errors import NotFound
from core.campaigns.links import read_start
from core.campaigns.models import StartLink
from core.shop import Shop

KEPT = "start_link"
"""The FSM data's key for the payload a stranger came with, kept through signup."""


def keep(payload: str | None) -> dict[str, Any]:
    """FSM data carrying ``payload`` through signup, if it is one of the shop's links."""
    return {} if read_start(payload).is_empty else {KEPT: payload}


def kept(data: dict[str, Any]) -> StartLink:
    """The link signup carried (read again: FSM data is only as trusted as its payload)."""
    payload = data.get(KEPT)
    return read_start(payload if isinstance(payload, str) else None)


async def follow(message: Message, bot: Bot, shop: Shop, customer: User, link: StartLink) -> bool:
    """Credit ``link``'s campaign to ``customer`` and open its product's card; whether a card
    was shown (not for a link without a product, or to one customers may not see)."""
    await shop.campaigns.follow(customer.id, link)
    if link.product_id is None:
        return False
    try:
        product = await shop.catalog.get(link.product_id)
    except NotFound:
        return False
    category = ALL_PRODUCTS if product.category_id is None else str(product.category_id)
    shown = ProductCard(product_id=str(product.id), category=category)
    await catalog.open_card(message, shown, bot, shop, customer, product)
    return True
