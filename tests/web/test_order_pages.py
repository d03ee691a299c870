"""The orders list (filters in the URL) and the order page: status buttons guarded by the
order's version, refunds recorded, customer text shown as text."""

from __future__ import annotations

from typing import Any

import pytest

from core.accounts.access import SYSTEM
from core.accounts.models import Role
from core.base.commands import parse
from core.sales.commands import CartChange, DeliveryDetails, StatusUpdate
from core.sales.models import Channel, Order, OrderStatus, PaymentState
from core.shop import Shop
from tests.api.world import PASSWORD, NewAccount
from tests.factories import NewProduct
from tests.settings import DELIVERY_METHODS
from tests.web.office import Office

XSS = "<script>alert(1)</script>"


@pytest.fixture
def core_overrides() -> dict[str, Any]:
    return {"delivery_methods": DELIVERY_METHODS}


async def _order(
    shop: Shop, new_account: NewAccount, new_product: NewProduct, name: str = "Dora", **details: str
) -> Order:
    customer = await new_account(name=name)
    tea = await new_product(stock=50)
    await shop.carts.add(customer.user.id, CartChange(product_id=tea.id, quantity=2))
    delivery = {"method": "pickup", "phone": "+44 20 7946 0958", **details}
    return await shop.checkout.place_order(
        customer.user.id, delivery=parse(DeliveryDetails, delivery)
    )


async def _signed_in(office: Office, new_account: NewAccount, role: Role = Role.OPERATOR) -> None:
    staff = await new_account(role, name=f"Staff {role.value}")
    assert (await office.sign_in(staff.email, PASSWORD)).status == 303


async def test_the_list_filters_orders_by_what_the_url_says(
    office: Office, new_account: NewAccount, new_product: NewProduct, shop: Shop
) -> None:
    dora = await _order(shop, new_account, new_product, "Dora")
    eve = await _order(shop, new_account, new_product, "Eve", recipientName="Frank")
    await shop.orders.change_status(SYSTEM, eve.id, StatusUpdate(status="paid"))
    await _signed_in(office, new_account)

    everything = await office.get("/admin/orders")
    assert everything.status == 200
    assert everything.shows(f"#{dora.number}") and everything.shows(f"#{eve.number}")
    paid = await office.get("/admin/orders?status=paid&paymentState=paid&sort=oldest")
    assert paid.shows(f"#{eve.number}") and not paid.shows(f"#{dora.number}")
    assert '<option value="paid" selected>' in paid.text  # the form shows the filter
    for words, number in (
        ("frank", eve.number),
        ("dora", dora.number),
        (f"#{dora.number}", dora.number),
    ):
        found = await office.get(f"/admin/orders?q={words.replace('#', '%23')}")
        assert found.shows(f"#{number}"), words
        other = eve.number if number == dora.number else dora.number
        assert not found.shows(f"#{other} "), words
    today = dora.created_at.date().isoformat()
    assert (await office.get(f"/admin/orders?from={today}&to={today}")).shows(f"#{dora.number}")
    before = f"/admin/orders?to={dora.created_at.date().replace(year=2020).isoformat()}"
    assert not (await office.get(before)).shows(f"#{dora.number}")
    mine = await office.get(f"/admin/orders?userId={dora.user_id}")
    assert mine.shows(f"#{dora.number}") and not mine.shows(f"#{eve.number}")


async def test_wrong_filters_are_named_on_the_page(office: Office, new_account: NewAccount) -> None:
    await _signed_in(office, new_account)
    reply = await office.get("/admin/orders?status=lost&from=yesterday")
    assert reply.status == 422 and reply.headers["Content-Type"].startswith("text/html")
    assert reply.shows("status:") and reply.shows("from: must be a day")


async def test_the_list_pages_keep_the_filters(
    office: Office, new_account: NewAccount, new_product: NewProduct, shop: Shop
) -> None:
    for _ in range(26):
        await _order(shop, new_account, new_product)
    await _signed_in(office, new_account)
    first = await office.get("/admin/orders?status=pending")
    assert first.shows("Page 1 of 2")
    assert 'href="/admin/orders?status=pending&amp;page=2"' in first.text


async def test_the_order_page_shows_the_order_and_moves_it(
    office: Office, new_account: NewAccount, new_product: NewProduct, shop: Shop
) -> None:
    order = await _order(shop, new_account, new_product, note="Ring twice")
    await _signed_in(office, new_account)
    page = await office.get(f"/admin/orders/{order.id}")
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    for text in ("Dora", "Pickup", "+442079460958", "Ring twice", "Tea", "Mark paid", "unpaid"):
        assert page.shows(text), text
    assert '<a href="/admin/orders" aria-current="page">' in page.text

    moved = await office.post(
        f"/admin/orders/{order.id}/status", {"status": "paid", "version": str(order.version)}
    )
    after = await office.follow(moved)
    assert after.shows(f"Order #{order.number} is now paid.") and after.shows("Mark shipped")
    paid = await shop.orders.get(SYSTEM, order.id)
    assert paid.status is OrderStatus.PAID
    assert paid.history[-1].channel is Channel.BACK_OFFICE
    assert after.shows("back office")


async def test_a_stale_order_page_changes_nothing_and_says_so(
    office: Office, new_account: NewAccount, new_product: NewProduct, shop: Shop
) -> None:
    order = await _order(shop, new_account, new_product)
    await _signed_in(office, new_account)
    await office.get(f"/admin/orders/{order.id}")  # shown while pending
    await shop.orders.change_status(SYSTEM, order.id, StatusUpdate(status="paid"))

    stale = await office.post(
        f"/admin/orders/{order.id}/status", {"status": "cancelled", "version": str(order.version)}
    )
    after = await office.follow(stale)
    assert after.shows("Nothing was changed") and after.shows("it is paid now")
    assert (await shop.orders.get(SYSTEM, order.id)).status is OrderStatus.PAID


async def test_a_status_change_without_the_csrf_token_writes_nothing(
    office: Office, new_account: NewAccount, new_product: NewProduct, shop: Shop
) -> None:
    order = await _order(shop, new_account, new_product)
    await _signed_in(office, new_account)
    await office.get(f"/admin/orders/{order.id}")
    form = {"status": "paid", "version": str(order.version)}
    for token in ("", "0" * 64):
        refused = await office.post(f"/admin/orders/{order.id}/status", form, csrf=token)
        assert refused.status == 403 and refused.shows("nothing was changed")
    htmx = await office.request(
        "POST", f"/admin/orders/{order.id}/status", data=form, headers={"X-CSRF-Token": "x"}
    )
    assert htmx.status == 403
    assert (await shop.orders.get(SYSTEM, order.id)) == order


async def test_a_refund_owed_is_marked_as_made(
    office: Office, new_account: NewAccount, new_product: NewProduct, shop: Shop
) -> None:
    order = await _order(shop, new_account, new_product)
    await shop.orders.change_status(SYSTEM, order.id, StatusUpdate(status="paid"))
    await shop.orders.change_status(SYSTEM, order.id, StatusUpdate(status="cancelled"))
    await _signed_in(office, new_account)
    page = await office.get(f"/admin/orders/{order.id}")
    assert page.shows("owed back") and page.shows("Mark refund as made")

    done = await office.follow(await office.post(f"/admin/orders/{order.id}/refunded"))
    assert done.shows("recorded as made") and not done.shows("Mark refund as made")
    assert (await shop.orders.get(SYSTEM, order.id)).payment.state is PaymentState.REFUNDED
    again = await office.post(f"/admin/orders/{order.id}/refunded", csrf=done.csrf)
    assert (await office.follow(again)).shows("Nothing was recorded")


async def test_customer_text_is_shown_as_text(
    office: Office, new_account: NewAccount, new_product: NewProduct, shop: Shop
) -> None:
    order = await _order(shop, new_account, new_product, XSS, note=XSS)
    await _signed_in(office, new_account)
    for path in ("/admin/orders", f"/admin/orders/{order.id}", f"/admin/customers/{order.user_id}"):
        page = await office.get(path)
        assert page.shows(XSS), path
        assert XSS not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_a_missing_order_is_a_readable_404(office: Office, new_account: NewAccount) -> None:
    await _signed_in(office, new_account)
    missing = await office.get("/admin/orders/0123456789abcdef01234567")
    assert missing.status == 404 and missing.shows("Not found")
    assert (await office.get("/admin/orders/not-an-id")).status == 404
