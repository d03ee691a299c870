"""A product sold by variant, for the API's variant tests: a T-shirt in sizes and colours."""

from __future__ import annotations

from typing import Any

from tests.api.client import Api
from tests.api.world import Account
from tests.factories import NewProduct

OPTIONS = {"options": {"Size": ["S", "M", "L"], "Colour": ["Red", "Blue"]}}


async def shirt(
    api: Api, admin: Account, new_product: NewProduct, stock: int = 5
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A T-shirt (12.00) with the variants M/Red and L/Blue (15.00); ``stock`` each."""
    tee = await new_product("T-shirt", price=1200, stock=0)
    pid = str(tee.id)
    defined = await api.request(
        "PUT", f"/api/products/{pid}/options", json=OPTIONS, token=admin.token
    )
    assert defined.status == 200, defined.body
    assert [o["name"] for o in defined.body["options"]] == ["Size", "Colour"]
    made = []
    for body in (
        {"options": {"Size": "M", "Colour": "Red"}, "stock": stock, "sku": "tee-m-red"},
        {"options": {"Size": "L", "Colour": "Blue"}, "stock": stock, "price": 1500},
    ):
        reply = await api.post(f"/api/products/{pid}/variants", json=body, token=admin.token)
        assert reply.status == 201, reply.body
        assert reply.headers["Location"] == f"/api/variants/{reply.body['id']}"
        made.append(reply.body)
    return pid, made[0], made[1]
