"""A month of a small tea shop, made through core's services with a moved clock: what the
dashboard's screenshot (docs/back-office.png) shows, and what its browser test counts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from core.accounts.access import SYSTEM
from core.base import clock
from core.catalog.commands import CategoryDraft, ProductDraft, ProductPatch
from core.catalog.models import Product
from core.sales.commands import CartChange, StatusUpdate
from core.sales.models import OrderStatus
from core.shop import Shop
from tests.clocks import FakeClock
from tests.factories import NewUser

CATALOG = {
    "Green teas": [("Sencha", 650, 60), ("Gyokuro", 1450, 9), ("Jasmine pearls", 890, 40)],
    "Black teas": [("Assam", 520, 80), ("Darjeeling", 980, 4), ("Earl Grey", 560, 70)],
    "Teaware": [("Glass teapot", 2400, 12), ("Matcha whisk", 1250, 3)],
}
CUSTOMERS = ("Alice", "Boris", "Chloé", "Daniel", "Eva", "Farid", "Greta", "Hiro")


@dataclass
class Month:
    """What was made: every order's time, total, final status and whether it was paid."""

    orders: list[tuple[datetime, int, OrderStatus, bool]] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)


async def a_month_of_orders(
    shop: Shop, new_user: NewUser, monkeypatch: pytest.MonkeyPatch, orders: int = 70
) -> Month:
    """``orders`` orders over the last 30 days (more lately), most paid and shipped, some
    cancelled, a few still pending; the clock is back at the real time afterwards."""
    real, now = clock.now, clock.now()
    moment = FakeClock(now - timedelta(days=31))
    monkeypatch.setattr(clock, "now", moment)
    month = Month()
    stocks: dict[str, int] = {}
    for category_name, products in CATALOG.items():
        category = await shop.categories.create(SYSTEM, CategoryDraft(name=category_name))
        for name, price, stock in products:
            draft = ProductDraft(
                name=name, price=price, stock=1000, low_stock_threshold=5, category_id=category.id
            )
            month.products.append(await shop.catalog.create(SYSTEM, draft))
            stocks[name] = stock
    people = [await new_user(name=name) for name in CUSTOMERS]
    chance = random.Random(19)  # noqa: S311 - demo data, the same every run
    times = sorted(
        now - timedelta(days=29.9 * chance.random() ** 1.6, minutes=90) for _ in range(orders)
    )
    for at in times:
        customer = chance.choice(people)
        moment.moment = at
        for product in chance.sample(month.products[:6], chance.choice((1, 1, 2, 3))):
            change = CartChange(product_id=product.id, quantity=chance.choice((1, 1, 2)))
            await shop.carts.add(customer.id, change)
        order = await shop.checkout.place_order(customer.id)
        status, path = OrderStatus.PENDING, []
        if (at < now - timedelta(hours=3) or chance.random() < 0.5) and chance.random() > 0.05:
            status = chance.choice([OrderStatus.SHIPPED] * 8 + [OrderStatus.PAID] * 2
                                   + [OrderStatus.CANCELLED] * 2)  # fmt: skip
            path = {
                OrderStatus.PAID: [OrderStatus.PAID],
                OrderStatus.SHIPPED: [OrderStatus.PAID, OrderStatus.SHIPPED],
                OrderStatus.CANCELLED: [OrderStatus.PAID, OrderStatus.CANCELLED][
                    chance.randrange(2) :
                ],
            }[status]
            for step in path:
                await shop.orders.change_status(SYSTEM, order.id, StatusUpdate(status=step))
        month.orders.append((at, order.total_amount, status, OrderStatus.PAID in path))
    for product in month.products:  # what is left on the shelves now
        await shop.catalog.update(SYSTEM, product.id, ProductPatch(stock=stocks[product.name]))
    monkeypatch.setattr(clock, "now", real)
    return month
