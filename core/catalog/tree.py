"""Categories as a tree of one level: top-level categories, each with its subcategories.

A subcategory's parent is a top-level category, chosen when the subcategory is created
and never changed (``core/catalog/categories.py`` says why), so the tree is never deeper.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from bson import ObjectId

from core.catalog.models import Category

SEPARATOR = " / "
"""Between a parent's name and its subcategory's in a path name: ``Tea / Green``."""

C = TypeVar("C", bound=Category)


def arranged(categories: Iterable[C], *, include_inactive: bool) -> tuple[C, ...]:
    """The categories (given in position order) as the tree is shown: each top-level one
    followed by its subcategories. Without ``include_inactive``, archived categories and
    the subcategories of archived ones are left out: customers never see them."""
    given = list(categories)
    children: dict[ObjectId, list[C]] = {}
    for category in given:
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    shown: list[C] = []
    for category in given:
        if category.parent_id is None and (include_inactive or category.active):
            shown.append(category)
            shown.extend(c for c in children.get(category.id, ()) if include_inactive or c.active)
    return tuple(shown)


def path_names(categories: Sequence[Category]) -> dict[ObjectId, str]:
    """Each category's name with its parent's in front (``Tea / Green``), by id."""
    names = {category.id: category.name for category in categories}
    return {
        category.id: (
            category.name
            if category.parent_id is None
            else names.get(category.parent_id, "") + SEPARATOR + category.name
        )
        for category in categories
    }
