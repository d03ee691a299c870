"""Categories (admins): created, renamed, archived and restored, and put in order with
up and down buttons (plain forms, so they work without JavaScript)."""

from __future__ import annotations

from aiohttp import web

from admin_api.web.forms import GENERAL, Filled
from admin_api.web.visit import Visit
from core.base.errors import InvalidInput, Missing, NotFound
from core.catalog.commands import CategoryDraft, CategoryOrder, CategoryPatch, CategoryQuery
from core.catalog.errors import CategoriesChanged

LIST = "category_list"


async def category_list(visit: Visit) -> web.StreamResponse:
    return await _categories_page(visit, {}, {})


async def create_category(visit: Visit) -> web.StreamResponse:
    filled = Filled(visit.form)
    filled.take_text("name")
    try:
        category = await visit.shop.categories.create(visit.actor, filled.command(CategoryDraft))
    except InvalidInput as exc:
        return await _categories_page(visit, filled.refused(exc), filled.values, 422)
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
    """Swap the category with its neighbour: core numbers them all in the new order (and
    refuses if a category was added or removed since this list was read)."""
    ids = [category.id for category in await visit.shop.categories.all(include_inactive=True)]
    moved = next((i for i, oid in enumerate(ids) if str(oid) == visit.path_id), None)
    if moved is None:
        raise NotFound(Missing.CATEGORY)
    if 0 <= moved + step < len(ids):  # the first cannot go up, nor the last down
        ids[moved], ids[moved + step] = ids[moved + step], ids[moved]
        try:
            await visit.shop.categories.reorder(visit.actor, CategoryOrder(ids=ids))
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
        errors=errors,
        general_error=errors.get(GENERAL),
        values=values,
    )
