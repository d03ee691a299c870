"""A customer's cart of variants over HTTP: a line per variant, each named for it and priced
at its price; removing names the variant (another's, or none, removes nothing)."""

from __future__ import annotations

from core.accounts.models import Role
from tests.api.client import Api
from tests.api.variants import shirt as _shirt
from tests.api.world import NewAccount
from tests.factories import NewProduct


async def test_a_cart_holds_a_line_per_variant_and_removes_the_one_named(
    api: Api, new_account: NewAccount, new_product: NewProduct
) -> None:
    admin, alice = await new_account(Role.ADMIN), await new_account()
    pid, red_m, blue_l = await _shirt(api, admin, new_product)
    for variant, quantity in ((red_m, 1), (blue_l, 2), (red_m, 2)):
        line = {"productId": pid, "variantId": variant["id"], "quantity": quantity}
        added = await api.post("/api/cart/add", json=line, token=alice.token)
        assert added.status == 200, added.body
    cart = await api.get("/api/cart", token=alice.token)
    assert [
        (i["name"], i["variantId"], i["quantity"], i["unitPrice"]) for i in cart.body["items"]
    ] == [("T-shirt (M, Red)", red_m["id"], 3, 1200), ("T-shirt (L, Blue)", blue_l["id"], 2, 1500)]
    assert cart.body["totalAmount"] == 3 * 1200 + 2 * 1500

    too_many = {"productId": pid, "variantId": blue_l["id"], "quantity": 4}
    refused = await api.post("/api/cart/add", json=too_many, token=alice.token)
    assert (refused.status, refused.code) == (409, "out-of-stock")
    assert "T-shirt (L, Blue)" in refused.body["detail"]
    plain = await api.post("/api/cart/remove", json={"productId": pid}, token=alice.token)
    assert plain.status == 404
    removed = await api.post(
        "/api/cart/remove", json={"productId": pid, "variantId": red_m["id"]}, token=alice.token
    )
    assert [i["variantName"] for i in removed.body["items"]] == ["L, Blue"]
