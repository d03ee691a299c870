"""Subcategories over HTTP: made with a parent, listed and filtered by it, ordered among
siblings, and hidden from customers with an archived parent."""

from __future__ import annotations

from typing import Any

from core.accounts.models import Role
from tests.api.client import Api
from tests.api.world import Account, NewAccount
from tests.factories import NewProduct


async def _category(api: Api, admin: Account, **body: Any) -> dict[str, Any]:
    made = await api.post("/api/categories", json=body, token=admin.token)
    assert made.status == 201, made.body
    created: dict[str, Any] = made.body
    return created


async def test_admin_builds_a_tree_and_customers_browse_and_filter_it(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin = await new_account(Role.ADMIN)
    tea = await _category(api, admin, name="Tea")
    green = await _category(api, admin, name="Green", parentId=tea["id"])
    black = await _category(api, admin, name="Black", parentId=tea["id"])
    cups = await _category(api, admin, name="Cups")
    assert (green["parentId"], green["position"], tea["parentId"]) == (tea["id"], 0, None)
    await new_product("Sencha", category_id=green["id"])
    await new_product("Sampler", category_id=tea["id"])
    made = await api.post(
        "/api/products",
        json={"name": "Assam", "price": 300, "categoryId": black["id"]},
        token=admin.token,
    )
    assert made.body["categoryId"] == black["id"]

    order = {"ids": [black["id"], green["id"]], "parentId": tea["id"]}
    reordered = await api.post("/api/categories/order", json=order, token=admin.token)
    assert reordered.status == 200
    listed = await api.get("/api/categories")
    assert [
        (c["name"], c["products"], c["subcategories"], c["parentId"]) for c in listed.body["items"]
    ] == [
        ("Tea", 3, 2, None),
        ("Black", 1, 0, tea["id"]),
        ("Green", 1, 0, tea["id"]),
        ("Cups", 0, 0, None),
    ]
    top = await api.get("/api/categories", params={"parent": "none"})
    assert [c["name"] for c in top.body["items"]] == ["Tea", "Cups"]
    under = await api.get("/api/categories", params={"parent": tea["id"]})
    assert [c["name"] for c in under.body["items"]] == ["Black", "Green"]
    assert (await api.get("/api/categories", params={"parent": cups["id"]})).body["items"] == []
    assert (await api.get("/api/categories", params={"parent": "tea"})).status == 422

    family = await api.get("/api/products", params={"category": tea["id"], "sort": "name"})
    assert [p["name"] for p in family.body["items"]] == ["Assam", "Sampler", "Sencha"]
    own = {"category": tea["id"], "subcategories": "false"}
    assert [p["name"] for p in (await api.get("/api/products", params=own)).body["items"]] == [
        "Sampler"
    ]
    child = await api.get("/api/products", params={"category": green["id"]})
    assert [p["name"] for p in child.body["items"]] == ["Sencha"]

    renamed = await api.patch(
        f"/api/categories/{green['id']}", json={"name": "Green tea"}, token=admin.token
    )
    assert (renamed.body["name"], renamed.body["parentId"]) == ("Green tea", tea["id"])


async def test_a_tree_one_level_deep_is_all_it_takes(api: Api, new_account: NewAccount) -> None:
    admin = await new_account(Role.ADMIN)
    tea = await _category(api, admin, name="Tea")
    green = await _category(api, admin, name="Green", parentId=tea["id"])
    old = await _category(api, admin, name="Old")
    await api.post(f"/api/categories/{old['id']}/archive", token=admin.token)

    deep = await api.post(
        "/api/categories", json={"name": "Deep", "parentId": green["id"]}, token=admin.token
    )
    assert (deep.status, deep.code) == (422, "unfit-parent")
    late = await api.post(
        "/api/categories", json={"name": "Late", "parentId": old["id"]}, token=admin.token
    )
    assert (late.status, late.code) == (422, "unfit-parent")
    lost = await api.post(
        "/api/categories", json={"name": "Lost", "parentId": "0" * 24}, token=admin.token
    )
    assert (lost.status, lost.code) == (404, "not-found")
    moved = await api.patch(
        f"/api/categories/{old['id']}", json={"parentId": tea["id"]}, token=admin.token
    )
    assert moved.status == 422
    mixed = {"ids": [green["id"], old["id"]], "parentId": tea["id"]}
    refused = await api.post("/api/categories/order", json=mixed, token=admin.token)
    assert (refused.status, refused.code) == (409, "categories-changed")
    staff = await api.get("/api/categories", params={"includeInactive": "true"}, token=admin.token)
    assert [(c["name"], c["parentId"]) for c in staff.body["items"]] == [
        ("Tea", None),
        ("Green", tea["id"]),
        ("Old", None),
    ]


async def test_an_archived_parent_hides_its_subcategories_and_their_products(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin, alice = await new_account(Role.ADMIN), await new_account(name="Alice")
    tea = await _category(api, admin, name="Tea")
    green = await _category(api, admin, name="Green", parentId=tea["id"])
    sencha = await new_product("Sencha", category_id=green["id"])
    added = await api.post("/api/cart/add", json={"productId": str(sencha.id)}, token=alice.token)
    assert added.status == 200

    archived = await api.post(f"/api/categories/{tea['id']}/archive", token=admin.token)
    assert archived.status == 200

    for token in (None, alice.token):
        assert (await api.get("/api/categories", token=token)).body["items"] == []
        assert (await api.get(f"/api/categories/{green['id']}", token=token)).status == 404
        assert (await api.get(f"/api/products/{sencha.id}", token=token)).status == 404
        search = await api.get("/api/products", params={"q": "sencha"}, token=token)
        assert search.body["total"] == 0
        asked = {"category": green["id"], "includeInactive": "true"}
        assert (await api.get("/api/products", params=asked, token=token)).body["total"] == 0
    again = await api.post("/api/cart/add", json={"productId": str(sencha.id)}, token=alice.token)
    assert again.status == 404
    checkout = await api.post("/api/orders", token=alice.token)
    assert checkout.status == 409
    seen = await api.get(f"/api/products/{sencha.id}", token=admin.token)
    assert seen.body["categoryHidden"] is True

    restored = await api.patch(
        f"/api/categories/{tea['id']}", json={"active": True}, token=admin.token
    )
    assert restored.status == 200
    assert (await api.get(f"/api/products/{sencha.id}", token=alice.token)).status == 200
