"""The product card's "Share" button: Telegram's share page for a link that opens the card
(``https://t.me/<bot>?start=p-<product id>``, read by ``core/campaigns/links.py``)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from aiogram.types import InlineKeyboardButton
from aiogram.utils.deep_linking import create_deep_link
from aiogram.utils.i18n import gettext as _

from core.campaigns.links import start_payload
from core.catalog.models import Product

SHARE_PAGE = "https://t.me/share/url"


def product_link(item: Product, bot_username: str) -> str:
    """The link that opens ``item``'s card in a chat with the bot."""
    return create_deep_link(bot_username, "start", start_payload(item.id))


def share_button(item: Product, bot_username: str) -> InlineKeyboardButton:
    """Opens Telegram's "share to a chat" with the product's link and its name."""
    query = urlencode({"url": product_link(item, bot_username), "text": item.name}, quote_via=quote)
    return InlineKeyboardButton(text=_("📤 Share"), url=f"{SHARE_PAGE}?{query}")
