"""Categories over HTTP: admins shape them, everyone browses them and filters products."""

from __future__ import annotations

from core.accounts.models import Role
from tests.api.client import Api
from tests.api.world import NewAccount
from tests.factories import NewProduct


async def test_admin_builds_categories_and_customers_browse_them(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    teas = await api.post("/api/categories", json={"name": "Teas"}, token=admin.token)
    assert teas.status == 201
    assert teas.headers["Location"] == f"/api/categories/{teas.body['id']}"
    cups = await api.post(
        "/api/categories", json={"name": "Cups", "description": "Mugs too"}, token=admin.token
    )
    tea_id, cup_id = teas.body["id"], cups.body["id"]
    product = await api.post(
        "/api/products",
        json={"name": "Green", "price": 300, "stock": 2, "categoryId": tea_id},
        token=admin.token,
    )
    assert product.body["categoryId"] == tea_id
    await new_product("Spoon")

    order = {"ids": [cup_id, tea_id]}
    reordered = await api.post("/api/categories/order", json=order, token=admin.token)
    assert [c["name"] for c in reordered.body["items"]] == ["Cups", "Teas"]

    shelves = await api.get("/api/categories")
    assert [(c["name"], c["products"]) for c in shelves.body["items"]] == [
        ("Cups", 0),
        ("Teas", 1),
    ]
    assert shelves.body["uncategorized"] == 1
    listed = await api.get("/api/products", params={"category": tea_id})
    assert [p["name"] for p in listed.body["items"]] == ["Green"]
    loose = await api.get("/api/products", params={"category": "none"})
    assert [p["name"] for p in loose.body["items"]] == ["Spoon"]

    renamed = await api.patch(
        f"/api/categories/{cup_id}", json={"name": "Cups & mugs"}, token=admin.token
    )
    assert (renamed.body["name"], renamed.body["version"]) == ("Cups & mugs", 2)


async def test_archiving_hides_the_category_and_its_products_from_customers(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin, alice = await new_account(Role.ADMIN), await new_account(name="Alice")
    teas = (await api.post("/api/categories", json={"name": "Teas"}, token=admin.token)).body
    green = await new_product("Green", category_id=teas["id"])

    archived = await api.post(f"/api/categories/{teas['id']}/archive", token=admin.token)
    assert (archived.status, archived.body["active"]) == (200, False)

    for token in (None, alice.token):
        assert (await api.get("/api/categories", token=token)).body["items"] == []
        assert (await api.get(f"/api/categories/{teas['id']}", token=token)).status == 404
        assert (await api.get(f"/api/products/{green.id}", token=token)).status == 404
        asked = {"category": teas["id"], "includeInactive": "true"}
        assert (await api.get("/api/products", params=asked, token=token)).body["total"] == 0
        added = await api.post(
            "/api/cart/add", json={"productId": str(green.id)}, token=alice.token
        )
        assert added.status == 404
    staff = await api.get("/api/categories", params={"includeInactive": "true"}, token=admin.token)
    assert [c["active"] for c in staff.body["items"]] == [False]
    seen = await api.get(f"/api/products/{green.id}", token=admin.token)
    assert seen.body["categoryHidden"] is True


async def test_bad_category_input_is_refused_and_changes_nothing(
    api: Api, new_account: NewAccount
) -> None:
    admin, alice = await new_account(Role.ADMIN), await new_account(name="Alice")
    teas = (await api.post("/api/categories", json={"name": "Teas"}, token=admin.token)).body
    forbidden = await api.post("/api/categories", json={"name": "X"}, token=alice.token)
    assert forbidden.status == 403
    partial = await api.post("/api/categories/order", json={"ids": []}, token=admin.token)
    assert partial.status == 422
    unknown = await api.post(
        "/api/categories/order", json={"ids": [teas["id"], "0" * 24]}, token=admin.token
    )
    assert (unknown.status, unknown.code) == (409, "categories-changed")
    nowhere = await api.post(
        "/api/products",
        json={"name": "Tea", "price": 1, "categoryId": "0" * 24},
        token=admin.token,
    )
    assert nowhere.status == 404
    assert (await api.get("/api/products", params={"category": "teas"})).status == 422
    assert (await api.get("/api/products", token=admin.token)).body["total"] == 0
