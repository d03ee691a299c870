"""Categories (admins): created (top-level, or under a top-level parent), renamed,
archived and restored, and put in order among their siblings with up and down buttons
(plain forms, so they work without JavaScript). The list shows the tree: each parent
followed by its subcategories."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web
from bson import ObjectId

from admin_api.web.forms import GENERAL, Filled
from admin_api.web.visit import Visit
from core.base.errors import InvalidInput, Missing, NotFound
from core.catalog.commands import CategoryDraft, CategoryOrder, CategoryPatch, CategoryQuery
from core.catalog.errors import CategoriesChanged
from core.catalog.models import Category

LIST = "category_list"


async def category_list(visit: Visit) -> web.StreamResponse:
    return await _categories_page(visit, {}, {})


async def create_category(visit: Visit) -> web.StreamResponse:
    filled = Filled(visit.form)
    filled.take_text("name")
    filled.take_text("parentId", empty_is_none=True)
    try:
        category = await visit.shop.categories.create(visit.actor, filled.command(CategoryDraft))
    except InvalidInput as exc:
        return await _categories_page(visit, filled.refused(exc), filled.values, 422)
    except NotFound as exc:
        if exc.what is not Missing.CATEGORY:
            raise
        errors = {"parentId": "This parent no longer exists; pick another."}
        return await _categories_page(visit, errors, filled.values, 422)
    return visit.redirect(visit.url(LIST), f"{category.name} was created.")


async def rename_category(visit: Visit) -> web.StreamResponse:
    filled = Filled(visit.form)
    filled.take_text("name")
    try:
        patch = filled.command(CategoryPatch)
    except InvalidInput as exc:
        errors = {visit.path_id: next(iter(filled.refused(exc).values()))}
        return await _categories_page(visit, errors, {}, 422)
    category = await visit.shop.categories.update(visit.actor, visit.path_id, patch)
    return visit.redirect(visit.url(LIST), f"Renamed to {category.name}.")


async def archive_category(visit: Visit) -> web.StreamResponse:
    category = await visit.shop.categories.archive(visit.actor, visit.path_id)
    return visit.redirect(visit.url(LIST), f"{category.name} and its products are hidden.")


async def restore_category(visit: Visit) -> web.StreamResponse:
    patch = CategoryPatch(active=True)
    category = await visit.shop.categories.update(visit.actor, visit.path_id, patch)
    return visit.redirect(visit.url(LIST), f"{category.name} is shown again.")


async def move_category_up(visit: Visit) -> web.StreamResponse:
    return await _move(visit, -1)


async def move_category_down(visit: Visit) -> web.StreamResponse:
    return await _move(visit, +1)


async def _move(visit: Visit, step: int) -> web.StreamResponse:
    """Swap the category with its neighbour among its siblings: core numbers them all in
    the new order (and refuses if a sibling was added since this list was read)."""
    categories = await visit.shop.categories.all(include_inactive=True)
    category = next((c for c in categories if str(c.id) == visit.path_id), None)
    if category is None:
        raise NotFound(Missing.CATEGORY)
    ids = [c.id for c in categories if c.parent_id == category.parent_id]
    moved = ids.index(category.id)
    if 0 <= moved + step < len(ids):  # the first cannot go up, nor the last down
        ids[moved], ids[moved + step] = ids[moved + step], ids[moved]
        try:
            order = CategoryOrder(ids=ids, parent_id=category.parent_id)
            await visit.shop.categories.reorder(visit.actor, order)
        except CategoriesChanged:
            message = "Nothing was moved: someone added or removed a category meanwhile."
            return visit.redirect(visit.url(LIST), message, error=True)
    return visit.redirect(visit.url(LIST))


async def _categories_page(
    visit: Visit, errors: dict[str, str], values: dict[str, object], status: int = 200
) -> web.StreamResponse:
    shelves = await visit.shop.categories.shelves(
        CategoryQuery(include_inactive=True), viewer=visit.actor
    )
    return visit.render(
        "products/categories.html",
        status,
        shelves=shelves,
        ends=_sibling_ends(shelves.items),
        names={shelf.id: shelf.name for shelf in shelves.items},
        parents=[shelf for shelf in shelves.items if shelf.parent_id is None and shelf.active],
        errors=errors,
        general_error=errors.get(GENERAL),
        values=values,
    )


def _sibling_ends(categories: Sequence[Category]) -> dict[ObjectId, tuple[bool, bool]]:
    """Per category (given in tree order): whether it is the first and the last of its
    siblings, which cannot move up and down."""
    siblings: dict[ObjectId | None, list[ObjectId]] = {}
    for category in categories:
        siblings.setdefault(category.parent_id, []).append(category.id)
    return {oid: (ids[0] == oid, ids[-1] == oid) for ids in siblings.values() for oid in ids}
