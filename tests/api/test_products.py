"""The catalogue over HTTP: browsing for everyone, editing for admins."""

from __future__ import annotations

from core.accounts.models import Role
from tests.api.client import Api
from tests.api.world import NewAccount
from tests.factories import NewProduct


async def test_browse_pages_searches_and_sorts(api: Api, new_product: NewProduct) -> None:
    for name, price in (("Green tea", 300), ("Black tea", 500), ("Coffee", 400)):
        await new_product(name, price=price)
    page = await api.get("/api/products", params={"q": "TEA", "sort": "-price", "limit": "1"})
    assert page.status == 200
    assert (page.body["total"], page.body["limit"]) == (2, 1)
    assert [p["name"] for p in page.body["items"]] == ["Black tea"]
    second = await api.get(
        "/api/products", params={"q": "tea", "sort": "-price", "limit": "1", "page": "2"}
    )
    assert [p["name"] for p in second.body["items"]] == ["Green tea"]


async def test_page_size_is_capped(api: Api) -> None:
    reply = await api.get("/api/products", params={"limit": "101"})
    assert reply.status == 422
    assert reply.body["errors"][0]["field"] == "limit"


async def test_customers_never_see_archived_products_staff_may(
    api: Api, new_product: NewProduct, new_account: NewAccount
) -> None:
    archived = await new_product("Old", active=False)
    alice, operator = await new_account(), await new_account(Role.OPERATOR)
    asked = {"includeInactive": "true"}
    for token in (None, alice.token):
        assert (await api.get("/api/products", params=asked, token=token)).body["total"] == 0
        assert (await api.get(f"/api/products/{archived.id}", token=token)).status == 404
    listed = await api.get("/api/products", params=asked, token=operator.token)
    assert listed.body["total"] == 1
    assert (await api.get(f"/api/products/{archived.id}", token=operator.token)).status == 200


async def test_admin_creates_edits_restocks_and_archives(api: Api, new_account: NewAccount) -> None:
    admin = await new_account(Role.ADMIN)
    draft = {"name": "Oolong", "description": "Half-oxidised", "price": 650, "stock": 3}
    created = await api.post("/api/products", json=draft, token=admin.token)
    assert created.status == 201
    product = created.body
    assert created.headers["Location"] == f"/api/products/{product['id']}"
    assert (product["currency"], product["active"], product["version"]) == ("USD", True, 0)
    url = f"/api/products/{product['id']}"

    edited = await api.patch(url, json={"price": 700, "stockDelta": 2}, token=admin.token)
    assert (edited.body["price"], edited.body["stock"]) == (700, 5)
    assert (await api.patch(url, json={"stock": 1}, token=admin.token)).body["stock"] == 1
    too_few = await api.patch(url, json={"stockDelta": -2}, token=admin.token)
    assert (too_few.status, too_few.code) == (409, "stock-out-of-range")
    stale = await api.patch(url, json={"price": 1, "expectedVersion": 0}, token=admin.token)
    assert (stale.status, stale.code) == (409, "version-conflict")
    both = await api.patch(url, json={"stock": 1, "stockDelta": 1}, token=admin.token)
    assert both.status == 422

    archived = await api.post(f"{url}/archive", token=admin.token)
    assert (archived.status, archived.body["active"]) == (200, False)
    assert (await api.get(url)).status == 404
    restored = await api.patch(url, json={"active": True}, token=admin.token)
    assert (restored.status, restored.body["active"]) == (200, True)


async def test_bad_and_unknown_ids(api: Api) -> None:
    for bad in ("not-an-id", "0" * 23, "A" * 24):  # not an id: no such resource
        reply = await api.get(f"/api/products/{bad}")
        assert (reply.status, reply.code) == (404, "not-found")
    assert (await api.get("/api/products/" + "0" * 24)).status == 404


async def test_products_are_sold_in_the_shop_currency(api: Api, new_account: NewAccount) -> None:
    admin = await new_account(Role.ADMIN)
    draft = {"name": "Mate", "price": 100, "currency": "EUR"}
    assert (await api.post("/api/products", json=draft, token=admin.token)).status == 422


async def test_stock_delta_cannot_pass_the_most_stock_may_be(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    full = await new_product(stock=1_000_000)
    url = f"/api/products/{full.id}"
    assert (await api.patch(url, json={"stock": 2_000_000}, token=admin.token)).status == 422
    over = await api.patch(url, json={"stockDelta": 1_000_000}, token=admin.token)
    assert (over.status, over.code) == (409, "stock-out-of-range")
    assert "above 1000000" in over.body["detail"]
    assert (await api.get(url)).body["stock"] == 1_000_000


async def test_a_product_s_low_stock_threshold_is_set_and_checked(
    api: Api, new_account: NewAccount
) -> None:
    admin = await new_account(Role.ADMIN)
    body = {"name": "Honey", "price": 790, "stock": 3, "lowStockThreshold": 1}
    created = await api.post("/api/products", json=body, token=admin.token)
    assert created.status == 201
    assert (created.body["lowStockThreshold"], created.body["lowStock"]) == (1, False)
    path = f"/api/products/{created.body['id']}"
    changed = await api.patch(path, json={"lowStockThreshold": 10}, token=admin.token)
    assert changed.body["lowStockThreshold"] == 10
    for bad in (-1, 1_000_001, "5", 2.5):
        refused = await api.patch(path, json={"lowStockThreshold": bad}, token=admin.token)
        assert refused.status == 422, bad
    plain = await api.post("/api/products", json={"name": "Tea", "price": 1}, token=admin.token)
    assert plain.body["lowStockThreshold"] is None  # the shop's LOW_STOCK_THRESHOLD
