"""Cards with several photos, for the bot's photo tests: products with pictures of known
colours, and what a card in the sandbox shows."""

from __future__ import annotations

from core.accounts.access import SYSTEM
from core.catalog.models import Product
from core.shop import Shop
from sandbox.models import Message
from tests.images import image_bytes

COLOURS = ("red", "green", "blue")
PICTURES = [image_bytes("PNG", (24, 16), colour) for colour in COLOURS]


async def with_pictures(shop: Shop, product: Product, count: int = 3) -> Product:
    for data in PICTURES[:count]:
        product = await shop.photos.add(SYSTEM, product.id, data)
    return product


def rows(card: Message) -> list[list[str]]:
    return [[key.text for key in row] for row in card.buttons]


def shows(card: Message, n: int) -> bool:
    return card.file is not None and card.file.data == PICTURES[n]
