"""A category's page around its products: a parent's subcategories (with their counts)
come first, and Back leads one level up (a subcategory's parent, or the categories)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _

from bot import texts
from bot.callbacks import CatalogPage, Open, Section
from bot.keyboards import button
from core.catalog.models import CategoryLevel


def subcategory_buttons(level: CategoryLevel) -> tuple[InlineKeyboardButton, ...]:
    """One button per subcategory customers see, before the products."""
    return tuple(
        button(
            texts.shelf_button(shelf.name, shelf.products),
            CatalogPage(page=1, category=str(shelf.id)),
        )
        for shelf in level.subcategories
    )


def back(level: CategoryLevel) -> InlineKeyboardButton:
    """One level up: a subcategory's parent, or the categories."""
    if level.parent is None:
        return button(_("« Categories"), Open(section=Section.CATALOG))
    up = CatalogPage(page=1, category=str(level.parent.id))
    return button(_("« {name}").format(name=level.parent.name), up)
