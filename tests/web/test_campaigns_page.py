"""The campaigns page: each campaign's orders and revenue over the period picked, counted
from the orders the test made, and the orders of no campaign beside them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from core.accounts.access import SYSTEM
from core.accounts.models import Role
from core.base import clock
from core.base.commands import HistoryQuery
from core.campaigns.links import read_start
from core.sales.commands import CartChange, StatusUpdate
from core.sales.models import OrderStatus
from core.shop import Shop
from tests.api.world import PASSWORD, NewAccount
from tests.clocks import FakeClock
from tests.factories import NewProduct
from tests.web.office import Office, Page

NOW = datetime(2030, 6, 1, 20, 0, tzinfo=UTC)


def rows(page: Page) -> list[list[str]]:
    """Each row of the table: the campaign (blank for none), then its cells as shown."""
    found = []
    for campaign, cells in re.findall(r'<tr data-campaign="([^"]*)">(.*?)</tr>', page.text):
        numbers = re.findall(r'<td class="number">([^<]*)</td>', cells)
        found.append([campaign, *numbers])
    return found


async def test_orders_and_revenue_by_campaign_over_the_period_picked(
    office: Office,
    shop: Shop,
    new_account: NewAccount,
    new_product: NewProduct,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    operator = await new_account(Role.OPERATOR)
    alice, bob = await new_account(name="Alice"), await new_account(name="Bob")
    moment = FakeClock(NOW)
    monkeypatch.setattr(clock, "now", moment)
    tea = await new_product("Tea", price=450, stock=50)
    await shop.campaigns.follow(alice.user.id, read_start("c-insta"))
    for who, quantity, back in ((alice, 2, 1), (alice, 1, 40), (bob, 3, 2)):
        moment.moment = NOW - timedelta(days=back)
        await shop.carts.add(who.user.id, CartChange(product_id=tea.id, quantity=quantity))
        order = await shop.checkout.place_order(who.user.id)
        await shop.orders.change_status(SYSTEM, order.id, StatusUpdate(status=OrderStatus.PAID))
    moment.moment = NOW

    await office.sign_in(operator.email, PASSWORD)
    month = await office.get("/admin/campaigns")

    assert month.status == 200
    assert 'href="/admin/campaigns" aria-current="page">Campaigns<' in month.text  # in the menu
    assert rows(month) == [
        ["insta", "1", "1", "1", "$9.00", "$0.00", "$9.00"],
        ["", "1", "1", "1", "$13.50", "$0.00", "$13.50"],
    ]
    ever = await office.get("/admin/campaigns?days=all")
    assert rows(ever)[0] == ["insta", "2", "1", "2", "$13.50", "$0.00", "$13.50"]
    nonsense = await office.get("/admin/campaigns?days=%3Cscript%3E")
    assert rows(nonsense) == rows(month)
    [ordered, *_] = (await shop.orders.history(alice.user.id, HistoryQuery())).items
    order_page = await office.get(f"/admin/orders/{ordered.id}")
    assert '<dt>Campaign</dt><dd><a href="/admin/campaigns"><code>insta</code>' in order_page.text
    customer_page = await office.get(f"/admin/customers/{alice.user.id}")
    assert "<dt>Campaign</dt><dd><code>insta</code>" in customer_page.text


async def test_a_product_page_gives_the_link_that_opens_its_card(
    office: Office, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    tea = await new_product("Tea")
    await office.sign_in(admin.email, PASSWORD)
    page = await office.get(f"/admin/products/{tea.id}")
    link = re.search(r"<code data-start-link>([^<]*)</code>", page.text)
    assert link and unescape(link.group(1)) == f"https://t.me/<your bot>?start=p-{tea.id}"
    assert read_start(f"p-{tea.id}-c-insta").product_id == tea.id


async def test_it_needs_a_staff_session(office: Office) -> None:
    signed_out = await office.get("/admin/campaigns?days=7")
    assert signed_out.status == 303
    assert signed_out.location.startswith("/admin/sign-in")
