"""Hostile text in every kind of thing the back office shows, and the pages that show
them: for the attack tests over HTTP and in the browser."""

from __future__ import annotations

from admin_api.web.routes import PAGES
from core.accounts.access import SYSTEM
from core.catalog.commands import CategoryDraft
from core.messaging.commands import BroadcastDraft
from core.promotions.commands import PromoDraft
from core.sales.commands import CartChange
from core.shop import Shop
from tests.factories import product_maker, user_maker

HOSTILE = "\"'><script>alert(1)</script></textarea>{{7*7}}"


async def hostile_things(shop: Shop) -> dict[str, str]:
    """A category, product, customer, order and broadcast named ``HOSTILE`` (and a promo
    code for that category): their ids by the path prefix of their pages."""
    category = await shop.categories.create(SYSTEM, CategoryDraft(name=HOSTILE))
    product = await product_maker(shop)(
        HOSTILE, description=HOSTILE, category_id=category.id, low_stock_threshold=50
    )
    customer = await user_maker(shop)(name=HOSTILE)
    await shop.carts.add(customer.id, CartChange(product_id=product.id, quantity=1))
    order = await shop.checkout.place_order(customer.id)
    draft = BroadcastDraft.model_validate({"text": HOSTILE, "segment": {"kind": "all"}})
    broadcast = await shop.broadcasts.start(SYSTEM, draft)
    terms = {"code": "HOSTILE", "kind": "fixed", "value": 100, "categoryIds": [str(category.id)]}
    promo = await shop.promotions.create(SYSTEM, PromoDraft.model_validate(terms))
    return {
        "/orders/": str(order.id),
        "/customers/": str(customer.id),
        "/products/": str(product.id),
        "/categories/": str(category.id),
        "/broadcasts/": str(broadcast.id),
        "/promo-codes/": str(promo.id),
    }


def with_ids(path: str, ids: dict[str, str]) -> str:
    """``/admin`` + ``path`` with the id (by path prefix) of a thing of its kind."""
    for prefix, value in ids.items():
        if path.startswith(prefix):
            return "/admin" + path.replace("{id}", value)
    return "/admin" + path


def html_pages(ids: dict[str, str]) -> list[str]:
    """Every page (GET and HTML) with the things of ``ids``."""
    return [
        with_ids(page.path, ids)
        for page in PAGES
        if page.method == "GET" and "photo" not in page.path and not page.path.endswith(".csv")
    ]
