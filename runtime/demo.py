"""The sample catalog of ``python -m runtime seed-demo``: products in categories, each with a
photo drawn by Pillow (nothing is downloaded)."""

from __future__ import annotations

import io
import random
import sys

from bson import ObjectId
from PIL import Image, ImageDraw

from core.accounts.access import SYSTEM
from core.catalog.commands import CategoryDraft, ProductDraft
from core.shop import Shop

CATEGORIES = [
    ("Tea", "Loose leaf teas from the growers we know."),
    ("Teaware", "Pots and mugs to brew and drink it."),
    ("Pantry", "Something sweet with it."),
]
# name, description, price, category, colour of its photo
DEMO_PRODUCTS = [
    ("Green tea", "Sencha from Shizuoka, 100 g.", 650, "Tea", "#6a994e"),
    ("Black tea", "Assam, malty and strong, 100 g.", 550, "Tea", "#7f4f24"),
    ("Oolong", "Tie Guan Yin, floral, 50 g.", 890, "Tea", "#a7c957"),
    ("Earl Grey", "Black tea with bergamot, 100 g.", 600, "Tea", "#5e548e"),
    ("Matcha", "Ceremonial grade, 30 g tin.", 1990, "Tea", "#38b000"),
    ("Teapot", "Cast iron, 0.8 l.", 4500, "Teaware", "#343a40"),
    ("Mug", "Stoneware, 350 ml.", 1200, "Teaware", "#e76f51"),
    ("Honey", "Wildflower honey, 250 g jar.", 790, "Pantry", "#f4a261"),
]
PHOTO_SIZE = 320


def photo(name: str, colour: str) -> bytes:
    """A 320x320 JPEG: a disc in ``colour`` on a light ground, with the product's name."""
    image = Image.new("RGB", (PHOTO_SIZE, PHOTO_SIZE), "#f8f9fa")
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 30, 280, 270), fill=colour)
    draw.text((PHOTO_SIZE // 2, 295), name, fill="#212529", anchor="mm", font_size=24)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


async def categories(shop: Shop) -> dict[str, ObjectId]:
    """The demo categories by name, created where missing (running twice adds none)."""
    found = {category.name: category.id for category in await shop.categories.all()}
    for name, description in CATEGORIES:
        if name not in found:
            draft = CategoryDraft(name=name, description=description)
            found[name] = (await shop.categories.create(SYSTEM, draft)).id
    return found


async def seed(shop: Shop, count: int) -> None:
    """The demo products, then numbered variants up to ``count``, with photos."""
    rng = random.Random(count)  # noqa: S311 - sample data, not security
    shelves = await categories(shop)
    photos: dict[str, bytes] = {}
    for index in range(count):
        base, description, price, category, colour = DEMO_PRODUCTS[index % len(DEMO_PRODUCTS)]
        if base not in photos:
            photos[base] = photo(base, colour)
        name = base if index < len(DEMO_PRODUCTS) else f"{base} #{index // len(DEMO_PRODUCTS) + 1}"
        draft = ProductDraft(
            name=name,
            description=description,
            price=price,
            stock=rng.randint(5, 50),
            category_id=shelves[category],
        )
        product = await shop.catalog.create(SYSTEM, draft)
        await shop.photos.attach(SYSTEM, product.id, photos[base])
        _progress(index + 1, count)


def _progress(done: int, total: int, width: int = 30) -> None:
    filled = width * done // total
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
