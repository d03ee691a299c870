"""CSV exports over HTTP: parsed back with the csv module, they hold every order, customer
and product as documented (columns, a byte order mark, money twice, times with the shop's
offset), follow the orders listing's filters, are streamed in chunks, refuse who may not
read them, and neutralise cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from core.accounts.access import SYSTEM
from core.accounts.models import Role
from core.catalog.commands import CategoryDraft, ProductDraft
from core.reports import exports
from core.reports.exports import CUSTOMER_COLUMNS, ORDER_COLUMNS, PRODUCT_COLUMNS
from core.sales.commands import CartChange, StatusUpdate
from core.sales.models import Order, OrderStatus
from core.shop import Shop
from tests.api.client import Api, Reply, Serve
from tests.api.world import Account, NewAccount
from tests.factories import NewProduct

MOSCOW = {"shop_timezone": "Europe/Moscow"}
PATHS = (
    "/api/exports/orders.csv",
    "/api/exports/customers.csv",
    "/api/exports/products.csv",
    "/api/exports/variants.csv",
)


def rows_of(reply: Reply) -> list[dict[str, str]]:
    """The CSV of ``reply``, which must start with a byte order mark, as dicts by column."""
    assert reply.status == 200, reply.body
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
    text: str = reply.body
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


async def order(shop: Shop, customer: Account, product_id: Any, quantity: int) -> Order:
    await shop.carts.add(customer.user.id, CartChange(product_id=product_id, quantity=quantity))
    return await shop.checkout.place_order(customer.user.id)


async def test_orders_come_with_every_documented_column(
    serve: Serve, shop: Shop, new_account: NewAccount, new_product: NewProduct
) -> None:
    api = await serve(**MOSCOW)
    operator = await new_account(Role.OPERATOR)
    alice = await new_account(name="Alice")
    tea, cake = await new_product("Tea", price=450), await new_product("Cake", price=1005)
    placed = await order(shop, alice, tea.id, 2)
    await shop.carts.add(alice.user.id, CartChange(product_id=cake.id, quantity=1))
    second = await order(shop, alice, tea.id, 1)
    await shop.orders.change_status(SYSTEM, second.id, StatusUpdate(status=OrderStatus.PAID))

    reply = await api.get("/api/exports/orders.csv", token=operator.token)

    assert reply.headers["Content-Disposition"].startswith('attachment; filename="orders-')
    assert reply.headers["Transfer-Encoding"] == "chunked"  # streamed, no length up front
    first, last = rows_of(reply)
    assert tuple(first) == ORDER_COLUMNS
    assert (first["number"], first["id"], first["status"]) == (
        str(placed.number),
        str(placed.id),
        "pending",
    )
    assert (first["customer_name"], first["customer_email"]) == ("Alice", alice.email)
    assert (first["items"], first["units"]) == ("Tea x 2", "2")
    assert (first["total_minor"], first["total"], first["currency"]) == ("900", "9.00", "USD")
    assert (first["payment_state"], first["paid_at"]) == ("unpaid", "")
    created = datetime.fromisoformat(first["created_at"])
    assert created.utcoffset() == timedelta(hours=3)
    assert created == placed.created_at.replace(microsecond=0)
    assert (last["items"], last["total_minor"], last["total"]) == (
        "Cake x 1; Tea x 1",
        "1455",
        "14.55",
    )
    assert (last["status"], last["payment_method"], last["payment_state"]) == (
        "paid",
        "manual",
        "paid",
    )
    assert datetime.fromisoformat(last["paid_at"]).utcoffset() == timedelta(hours=3)


async def test_orders_are_filtered_as_the_orders_listing_filters_them(
    api: Api, shop: Shop, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    alice, bob = await new_account(name="Alice"), await new_account(name="Bob")
    tea = await new_product("Tea", price=100)
    alices = [await order(shop, alice, tea.id, 1) for _ in range(3)]
    bobs = await order(shop, bob, tea.id, 1)
    await shop.orders.change_status(SYSTEM, alices[1].id, StatusUpdate(status=OrderStatus.PAID))
    since = alices[1].created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    filters: dict[str, str] = {"userId": alice.id, "from": since}

    for query, expected in (
        ({"status": "paid"}, [alices[1]]),
        ({"userId": alice.id}, alices),
        ({"userId": bob.id}, [bobs]),
        (filters, alices[1:]),
    ):
        reply = await api.get("/api/exports/orders.csv", params=query, token=admin.token)
        listed = await api.get("/api/admin/orders", params=query, token=admin.token)
        exported = [row["id"] for row in rows_of(reply)]
        assert exported == [str(o.id) for o in expected], query
        assert sorted(exported) == sorted(item["id"] for item in listed.body["items"])

    refused = await api.get("/api/exports/orders.csv", params={"status": "lost"}, token=admin.token)
    assert (refused.status, refused.code) == (422, "invalid-input")


async def test_an_export_longer_than_a_batch_keeps_every_row_in_order(
    api: Api,
    shop: Shop,
    new_account: NewAccount,
    new_product: NewProduct,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exports, "BATCH", 2)
    operator = await new_account(Role.OPERATOR)
    alice = await new_account()
    tea = await new_product(price=100)
    placed = [await order(shop, alice, tea.id, 1) for _ in range(5)]

    rows = rows_of(await api.get("/api/exports/orders.csv", token=operator.token))

    assert [row["number"] for row in rows] == [str(o.number) for o in placed]


async def test_customers_come_with_their_orders_and_what_they_spent(
    serve: Serve, shop: Shop, new_account: NewAccount, new_product: NewProduct
) -> None:
    api = await serve(**MOSCOW)
    operator = await new_account(Role.OPERATOR, name="Olga")
    alice, bob = await new_account(name="Alice"), await new_account(name="Bob")
    tea = await new_product(price=450)
    paid = await order(shop, alice, tea.id, 2)
    await order(shop, alice, tea.id, 1)
    await shop.orders.change_status(SYSTEM, paid.id, StatusUpdate(status=OrderStatus.PAID))

    rows = rows_of(await api.get("/api/exports/customers.csv", token=operator.token))

    assert tuple(rows[0]) == CUSTOMER_COLUMNS
    assert [row["name"] for row in rows] == ["Alice", "Bob"]  # staff are not customers
    first, second = rows
    assert (first["id"], first["email"], first["active"]) == (alice.id, alice.email, "true")
    assert (first["orders"], first["paid_orders"]) == ("2", "1")
    assert (first["spent_minor"], first["spent"], first["currency"]) == ("900", "9.00", "USD")
    assert datetime.fromisoformat(first["last_order_at"]).utcoffset() == timedelta(hours=3)
    assert (second["id"], second["orders"], second["spent"], second["last_order_at"]) == (
        bob.id,
        "0",
        "0.00",
        "",
    )


@pytest.mark.parametrize("core_overrides", [{"shop_currency": "JPY", "low_stock_threshold": 3}])
async def test_products_come_with_price_stock_and_category(
    api: Api, shop: Shop, new_account: NewAccount
) -> None:
    operator = await new_account(Role.OPERATOR)
    herbal = await shop.categories.create(SYSTEM, CategoryDraft(name="Herbal"))
    draft = ProductDraft(name="Sencha", sku="SEN-1", price=1500, stock=2, category_id=herbal.id)
    sencha = await shop.catalog.create(SYSTEM, draft)
    old = await shop.catalog.create(SYSTEM, ProductDraft(name="Old", price=90, stock=9))
    await shop.catalog.archive(SYSTEM, old.id)

    rows = rows_of(await api.get("/api/exports/products.csv", token=operator.token))

    assert tuple(rows[0]) == PRODUCT_COLUMNS
    first, second = rows
    assert (first["id"], first["category"], first["category_id"]) == (
        str(sencha.id),
        "Herbal",
        str(herbal.id),
    )
    assert (first["price_minor"], first["price"], first["currency"]) == ("1500", "1500", "JPY")
    assert first["sku"] == "SEN-1"
    # its threshold is the shop's (3): the cell is empty, as an import would leave it
    assert (first["stock"], first["low_stock_threshold"], first["low_stock"]) == ("2", "", "true")
    assert (second["sku"], second["name"], second["active"], second["category"]) == (
        "",
        "Old",
        "false",
        "",
    )


async def test_cells_a_spreadsheet_would_run_are_neutralised(
    api: Api, shop: Shop, new_account: NewAccount, new_product: NewProduct
) -> None:
    operator = await new_account(Role.OPERATOR)
    names = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2", "@SUM(A1)"]
    customers = [await new_account(name=name) for name in names]
    tea = await new_product("=1+2", price=100)
    await order(shop, customers[0], tea.id, 1)

    people = rows_of(await api.get("/api/exports/customers.csv", token=operator.token))
    orders = rows_of(await api.get("/api/exports/orders.csv", token=operator.token))
    products = rows_of(await api.get("/api/exports/products.csv", token=operator.token))

    assert [row["name"] for row in people] == [f"'{name}" for name in names]
    assert (orders[0]["customer_name"], orders[0]["items"]) == (f"'{names[0]}", "'=1+2 x 1")
    assert products[0]["name"] == "'=1+2"
    assert orders[0]["total_minor"] == "100"  # the shop's own numbers stay numbers


@pytest.mark.parametrize("path", PATHS)
async def test_only_staff_may_export(api: Api, new_account: NewAccount, path: str) -> None:
    customer = await new_account()
    admin = await new_account(Role.ADMIN)
    assert (await api.get(path)).status == 401
    refused = await api.get(path, token=customer.token)
    assert (refused.status, refused.code) == (403, "forbidden")
    assert (await api.get(path, token=admin.token)).status == 200


def test_the_document_declares_each_export_a_csv_download(api: Api) -> None:
    for path in PATHS:
        answer = api.document["paths"][path]["get"]["responses"]["200"]
        assert list(answer["content"]) == ["text/csv"]
        assert "Content-Disposition" in answer["headers"]


async def test_a_failure_half_way_breaks_the_download_instead_of_ending_it(
    api: Api,
    shop: Shop,
    new_account: NewAccount,
    new_product: NewProduct,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The header and the first batch are out when the second batch fails (an injected
    fault): the client must not get a file that looks whole."""
    monkeypatch.setattr(exports, "BATCH", 1)
    operator = await new_account(Role.OPERATOR)
    alice = await new_account()
    tea = await new_product(price=100)
    first, second = [await order(shop, alice, tea.id, 1) for _ in range(2)]
    row = exports.Exports._order_row

    def failing(self: exports.Exports, found: dict[str, Any], customer: dict[str, Any]) -> Any:
        if found["_id"] == second.id:
            raise RuntimeError("the database went away")
        return row(self, found, customer)

    monkeypatch.setattr(exports.Exports, "_order_row", failing)
    headers = {"Authorization": f"Bearer {operator.token}"}
    async with api.client.get("/api/exports/orders.csv", headers=headers) as reply:
        assert reply.status == 200
        received = b""
        with pytest.raises(aiohttp.ClientPayloadError):
            async for chunk in reply.content.iter_any():
                received += chunk
    assert str(first.id).encode() in received
    assert str(second.id).encode() not in received
