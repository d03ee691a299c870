"""Promo codes attacked over HTTP: hostile codes and terms are refused as problem+json and
write nothing."""

from __future__ import annotations

from typing import Any

from core.accounts.models import Role
from core.shop import Shop
from tests.api.client import Api
from tests.api.world import NewAccount
from tests.factories import NewProduct

HOSTILE_CODES: list[Any] = [
    {"$ne": None},
    ["SAVE10"],
    "SAV\u041510",  # a Cyrillic E
    "\uff33\uff21\uff36\uff25\uff11\uff10",  # full-width SAVE10
    "SAVE 10",
    "SAVE10\u200b",
    "",
    "A" * 33,
    10,
    None,
    "save10'; db.dropDatabase()",
]

HOSTILE_TERMS: list[dict[str, Any]] = [
    {"kind": "percent", "value": 101},
    {"kind": "percent", "value": 0},
    {"kind": "fixed", "value": -5},
    {"kind": "fixed", "value": 10**30},
    {"kind": "fixed", "value": 5.5},
    {"kind": "fixed", "value": "5"},
    {"kind": "fixed", "value": True},
    {"kind": "free", "value": 5},
    {"kind": "fixed", "value": 5, "usageLimit": 0},
    {"kind": "fixed", "value": 5, "usageLimit": 10**30},
    {"kind": "fixed", "value": 5, "perCustomer": -1},
    {"kind": "fixed", "value": 5, "minTotal": {"$gt": 0}},
    {"kind": "fixed", "value": 5, "categoryIds": [{"$ne": None}]},
    {"kind": "fixed", "value": 5, "productIds": ["not-an-id"]},
    {"kind": "fixed", "value": 5, "startsAt": 1700000000},
    {"kind": "fixed", "value": 5, "endsAt": "tomorrow"},
    {"kind": "fixed", "value": 5, "startsAt": "2030-01-02T00:00:00Z",
     "endsAt": "2030-01-01T00:00:00Z"},
    {"kind": "fixed", "value": 5, "used": 0, "state": "active"},
    {"kind": "fixed", "value": 5, "firstOrderOnly": "yes"},
]  # fmt: skip


async def test_hostile_codes_and_terms_are_problems_and_write_nothing(
    api: Api, shop: Shop, new_account: NewAccount, new_product: NewProduct
) -> None:
    staff, alice = await new_account(Role.OPERATOR, name="Olga"), await new_account()
    made = await api.request(
        "POST",
        "/api/admin/promo-codes",
        token=staff.token,
        json={"code": "SAVE10", "kind": "percent", "value": 10},
    )
    assert made.status == 201
    tea = await new_product(price=1000)
    await api.request("POST", "/api/cart/add", token=alice.token, json={"productId": str(tea.id)})
    cart_before = await shop.store.carts.find_one({}, {"_id": 0})

    for code in HOSTILE_CODES:
        added = await api.request("POST", "/api/cart/promo", token=alice.token, json={"code": code})
        assert added.status in (400, 422), (code, added.status)
        assert added.headers["Content-Type"].startswith("application/problem+json"), code
        terms = {"code": "OTHER", "kind": "fixed", "value": 5}
        made_again = await api.request(
            "POST", "/api/admin/promo-codes", token=staff.token, json={**terms, "code": code}
        )
        assert made_again.status in (400, 422), (code, made_again.status)
    for terms in HOSTILE_TERMS:
        created = await api.request(
            "POST", "/api/admin/promo-codes", token=staff.token, json={"code": "BAD", **terms}
        )
        assert created.status in (400, 409, 422), (terms, created.status)
        assert created.headers["Content-Type"].startswith("application/problem+json"), terms
        edited = await api.request(
            "PATCH", f"/api/admin/promo-codes/{made.body['id']}", token=staff.token, json=terms
        )
        assert edited.status in (400, 409, 422), (terms, edited.status)

    assert await shop.store.carts.find_one({}, {"_id": 0}) == cart_before
    assert await shop.store.promo_codes.count_documents({}) == 1
    stored = await shop.store.promo_codes.find_one({})
    assert stored is not None and (stored["version"], stored["value"]) == (0, 10)
