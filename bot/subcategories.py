"""A category's page around its products: a parent's subcategories (with their counts)
come first, and Back leads one level up (a subcategory's parent, or the categories)."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _

from bot import texts
from bot.callbacks import CatalogPage, Open, Section
from bot.keyboards import button
from core.catalog.commands import CategoryQuery
from core.catalog.models import Category
from core.shop import Shop


@dataclass(frozen=True)
class Level:
    subcategories: tuple[InlineKeyboardButton, ...]
    """One button per subcategory customers see, before the products."""
    back: InlineKeyboardButton
    """One level up."""


async def level(shop: Shop, category: Category) -> Level:
    """What surrounds ``category``'s products (a category customers may see)."""
    if category.parent_id is not None:
        parent = await shop.categories.get(category.parent_id)
        up = CatalogPage(page=1, category=str(parent.id))
        return Level((), button(_("« {name}").format(name=parent.name), up))
    shelves = await shop.categories.shelves(CategoryQuery(parent=str(category.id)))
    subcategories = tuple(
        button(
            texts.shelf_button(shelf.name, shelf.products),
            CatalogPage(page=1, category=str(shelf.id)),
        )
        for shelf in shelves.items
    )
    return Level(subcategories, button(_("« Categories"), Open(section=Section.CATALOG)))
