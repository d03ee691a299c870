"""Promo codes (operators and admins): the list with each code's figures, the form that
creates and edits one, and pausing, resuming and archiving. Every change goes through
core's promotions service, which checks the role itself."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from multidict import MultiDict

from admin_api.web.forms import GENERAL, Filled
from admin_api.web.visit import Visit
from core.base.commands import parse
from core.base.errors import Conflict, InvalidInput
from core.base.money import major_units
from core.promotions.commands import PromoDraft, PromoPatch, PromoQuery
from core.promotions.errors import PromoCodeTaken
from core.promotions.models import PromoCode, PromoKind, PromoState

LIST = "promo_list"
EDIT = "edit_promo"
CLEARABLE = ("minTotal", "startsAt", "endsAt", "usageLimit", "perCustomer")
STATE_DONE = {
    PromoState.ACTIVE: "is active again.",
    PromoState.PAUSED: "is paused: checkout refuses it until it is resumed.",
    PromoState.ARCHIVED: "is archived.",
}


async def promo_list(visit: Visit) -> web.StreamResponse:
    asked = {
        k: visit.request.query[k] for k in ("includeArchived", "page") if k in visit.request.query
    }
    query = parse(PromoQuery, asked)
    page = await visit.shop.promotions.search(visit.actor, query)
    return visit.render(
        "promotions/list.html",
        page=page,
        query=query,
        page_url=lambda number: visit.url(LIST, {**asked, "page": str(number)}),
    )


async def new_promo(visit: Visit) -> web.StreamResponse:
    return await _promo_form(visit, None, {}, MultiDict({"kind": PromoKind.PERCENT.value}))


async def create_promo(visit: Visit) -> web.StreamResponse:
    filled = Filled(visit.form)
    filled.take_text("code")
    _take_terms(filled, visit.shop.catalog.currency, creating=True)
    try:
        promo = await visit.shop.promotions.create(visit.actor, filled.command(PromoDraft))
    except InvalidInput as exc:
        return await _promo_form(visit, None, filled.refused(exc), visit.form, 422)
    except PromoCodeTaken as exc:
        return await _promo_form(visit, None, {"code": exc.message}, visit.form, 409)
    except Conflict as exc:  # terms that do not fit together
        return await _promo_form(visit, None, {GENERAL: exc.message}, visit.form, 409)
    return visit.redirect(visit.url(EDIT, id=str(promo.id)), f"{promo.code} was created.")


async def edit_promo(visit: Visit) -> web.StreamResponse:
    figures = await visit.shop.promotions.get(visit.actor, visit.path_id)
    return await _promo_form(visit, figures.promo, {}, _as_form(figures.promo))


async def update_promo(visit: Visit) -> web.StreamResponse:
    promo = (await visit.shop.promotions.get(visit.actor, visit.path_id)).promo
    filled = Filled(visit.form)
    _take_terms(filled, visit.shop.catalog.currency, creating=False)
    filled.take_whole_number("expectedVersion")
    try:
        patch = filled.command(PromoPatch)
        promo = await visit.shop.promotions.update(visit.actor, promo.id, patch)
    except InvalidInput as exc:
        return await _promo_form(visit, promo, filled.refused(exc), visit.form, 422)
    except Conflict as exc:
        return await _promo_form(visit, promo, {GENERAL: exc.message}, visit.form, 409)
    return visit.redirect(visit.url(EDIT, id=str(promo.id)), "Saved.")


async def change_promo_state(visit: Visit) -> web.StreamResponse:
    """Pause, resume or archive (the form's ``state``)."""
    patch = parse(PromoPatch, {"state": visit.form.get("state", "")})
    try:
        promo = await visit.shop.promotions.update(visit.actor, visit.path_id, patch)
    except Conflict as exc:
        return visit.redirect(visit.url(EDIT, id=visit.path_id), exc.message, error=True)
    return visit.redirect(
        visit.url(EDIT, id=str(promo.id)), f"{promo.code} {STATE_DONE[promo.state]}"
    )


def _take_terms(filled: Filled, currency: str, *, creating: bool) -> None:
    """The fields the create and edit forms share; an empty optional field is none (in an
    edit: cleared)."""
    filled.take_text("kind")
    if filled.values["kind"] == PromoKind.FIXED.value:
        filled.take_amount("value", currency)
    else:
        filled.take_whole_number("value")
    if filled.text("minTotal"):
        filled.take_amount("minTotal", currency)
    else:
        filled.values["minTotal"] = None
    for moment in ("startsAt", "endsAt"):
        typed = filled.text(moment)  # a datetime-local input: no offset, read as UTC
        filled.values[moment] = (typed + ("" if typed.endswith("Z") else ":00Z")) if typed else None
    filled.take_whole_number("usageLimit", optional=True)
    filled.take_whole_number("perCustomer", optional=True)
    filled.values["includesDelivery"] = filled.form.get("includesDelivery") == "true"
    filled.values["firstOrderOnly"] = filled.form.get("firstOrderOnly") == "true"
    chosen = filled.form.getall("categoryIds", []) if hasattr(filled.form, "getall") else []
    filled.values["categoryIds"] = [c for c in chosen if c]
    products = filled.text("productIds").replace(",", " ").split()
    filled.values["productIds"] = products
    if creating:
        for name in CLEARABLE:
            if filled.values.get(name) is None:
                filled.values.pop(name, None)


def _as_form(promo: PromoCode) -> MultiDict[str]:
    """The code's terms as its form shows them."""
    currency_free = {
        "kind": promo.kind.value,
        "usageLimit": "" if promo.usage_limit is None else str(promo.usage_limit),
        "perCustomer": "" if promo.per_customer is None else str(promo.per_customer),
        "startsAt": "" if promo.starts_at is None else f"{promo.starts_at:%Y-%m-%dT%H:%M}",
        "endsAt": "" if promo.ends_at is None else f"{promo.ends_at:%Y-%m-%dT%H:%M}",
        "includesDelivery": "true" if promo.includes_delivery else "",
        "firstOrderOnly": "true" if promo.first_order_only else "",
        "productIds": " ".join(str(p) for p in promo.product_ids),
        "expectedVersion": str(promo.version),
    }
    form: MultiDict[str] = MultiDict(currency_free)
    for category in promo.category_ids:
        form.add("categoryIds", str(category))
    return form


def _shown_amounts(promo: PromoCode | None, currency: str) -> dict[str, str]:
    """The code's value and minimum as people type them (4.50, not 450)."""
    if promo is None:
        return {}
    value = promo.value if promo.kind is PromoKind.PERCENT else major_units(promo.value, currency)
    minimum = "" if promo.min_total is None else str(major_units(promo.min_total, currency))
    return {"value": str(value), "minTotal": minimum}


async def _promo_form(
    visit: Visit,
    promo: PromoCode | None,
    errors: dict[str, str],
    values: Any,
    status: int = 200,
) -> web.StreamResponse:
    currency = visit.shop.catalog.currency
    shown = MultiDict(values)
    if status == 200:
        shown.update(_shown_amounts(promo, currency))
    figures = None if promo is None else await visit.shop.promotions.get(visit.actor, promo.id)
    categories = await visit.shop.categories.all(include_inactive=True)
    return visit.render(
        "promotions/form.html",
        status,
        promo=promo,
        figures=figures,
        errors=errors,
        general_error=errors.get(GENERAL),
        values=shown,
        chosen_categories=set(shown.getall("categoryIds", [])),
        categories=categories,
        currency=currency,
    )
