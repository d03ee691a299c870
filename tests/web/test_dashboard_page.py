"""The dashboard page: its figures are the orders the test made, the revenue chart is SVG
drawn on the server (readable without JavaScript), and product names are shown as text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from core.accounts.access import SYSTEM
from core.accounts.models import Role
from core.base import clock
from core.sales.commands import CartChange, StatusUpdate
from core.sales.models import OrderStatus
from core.shop import Shop
from tests.api.world import PASSWORD, NewAccount
from tests.clocks import FakeClock
from tests.factories import NewProduct
from tests.web.office import Office, Page

NOW = datetime(2030, 6, 1, 20, 0, tzinfo=UTC)
XSS = "<script>alert(1)</script>"


def figure(page: Page, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', page.text)
    assert found, f"no figure {name}"
    return found.group(1).strip()


async def test_the_figures_are_the_orders_and_the_chart_is_svg(
    office: Office,
    shop: Shop,
    new_account: NewAccount,
    new_product: NewProduct,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    operator = await new_account(Role.OPERATOR)
    alice = await new_account(name="Alice")
    moment = FakeClock(NOW)
    monkeypatch.setattr(clock, "now", moment)
    tea = await new_product(XSS, price=450, stock=20, low_stock_threshold=16)
    for quantity, back in ((1, timedelta(days=3)), (3, timedelta(hours=1))):
        moment.moment = NOW - back
        await shop.carts.add(alice.user.id, CartChange(product_id=tea.id, quantity=quantity))
        order = await shop.checkout.place_order(alice.user.id)
        await shop.orders.change_status(SYSTEM, order.id, StatusUpdate(status=OrderStatus.PAID))
    await shop.carts.add(alice.user.id, CartChange(product_id=tea.id, quantity=1))
    moment.moment = NOW - timedelta(hours=5)
    await shop.checkout.place_order(alice.user.id)  # pending, long past the payment window
    moment.moment = NOW

    await office.sign_in(operator.email, PASSWORD)
    page = await office.get("/admin/")

    assert page.status == 200
    assert (figure(page, "orders-today"), figure(page, "revenue-today")) == ("2", "$13.50")
    assert (figure(page, "orders-7d"), figure(page, "revenue-7d")) == ("3", "$18.00")
    assert figure(page, "average-7d") == "$9.00"  # two paid orders
    assert (figure(page, "paid-7d"), figure(page, "pending-7d")) == ("2", "1")
    assert figure(page, "overdue") == "1"
    assert page.shows("Nothing is owed back.")
    svg = re.search(r"<svg class=\"chart\".*?</svg>", page.text, re.S)
    assert svg and svg.group(0).count("<rect") == 30
    assert "<title>2030-06-01: $13.50, 2 orders</title>" in svg.group(0)
    assert "<title>2030-05-29: $4.50, 1 order</title>" in svg.group(0)
    assert re.search(r'<text class="axis"[^>]*>\$0\.00</text>', svg.group(0))
    assert XSS not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "/admin/orders?status=pending&amp;sort=oldest" in page.text
    assert "/admin/products/" not in page.text  # operators cannot open products
    best = await office.get("/admin/?period=today")
    assert re.search(r"&lt;/script&gt;</td><td class=\"number\">3<", best.text)


async def test_strangers_are_sent_to_sign_in(office: Office) -> None:
    page = await office.get("/admin/")
    assert page.status == 303 and page.location.startswith("/admin/sign-in")
