"""Who gets what: every operation x anonymous, the owner, another user, operator, admin.

In the world each test starts from, Alice (the owner) has a placed order and tea in her
cart; Bob (another user) has neither; the operator and the admin are shoppers too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.client import Api
from tests.api.world import PASSWORD, World

ACTORS = ("anonymous", "owner", "other", "operator", "admin")
TEA, ARCHIVED, ORDER, BROADCAST = "{tea}", "{archived}", "{order}", "{broadcast}"
OWNER = "{owner}"
CATEGORY = "{category}"
PROMO = "{promo}"
VARIANT = "{variant}"
"""No variant has this id: who may reach the operation gets 404 (tests/api/test_variants.py)."""
NO_VARIANT = "0123456789abcdef01234567"
SIZES = {"options": {"Size": ["S", "M"]}}
PHOTO = "{photo}"
SEGMENT = {"kind": "all"}

# method, path, body, then the status for each of ACTORS
MATRIX: list[tuple[str, str, dict[str, Any] | None, tuple[int, int, int, int, int]]] = [
    ("POST", "/api/auth/register", {"name": "N", "email": "n@example.com", "password": PASSWORD},
     (201, 201, 201, 201, 201)),
    ("POST", "/api/auth/login", {"email": "{alice_email}", "password": PASSWORD},
     (200, 200, 200, 200, 200)),
    ("GET", "/api/auth/me", None, (401, 200, 200, 200, 200)),
    ("PATCH", "/api/auth/me", {"name": "Renamed"}, (401, 200, 200, 200, 200)),
    ("GET", "/api/products", None, (200, 200, 200, 200, 200)),
    ("GET", f"/api/products/{TEA}", None, (200, 200, 200, 200, 200)),
    ("GET", f"/api/products/{ARCHIVED}", None, (404, 404, 404, 200, 200)),
    ("POST", "/api/products", {"name": "Mate", "price": 300}, (401, 403, 403, 403, 201)),
    ("PATCH", f"/api/products/{TEA}", {"stockDelta": 5}, (401, 403, 403, 403, 200)),
    ("POST", f"/api/products/{TEA}/archive", None, (401, 403, 403, 403, 200)),
    ("GET", f"/api/products/{TEA}/photo", None, (200, 200, 200, 200, 200)),
    ("POST", f"/api/products/{TEA}/photo", None, (401, 403, 403, 403, 415)),
    ("DELETE", f"/api/products/{TEA}/photo", None, (401, 403, 403, 403, 200)),
    ("GET", f"/api/products/{TEA}/photos", None, (200, 200, 200, 200, 200)),
    ("POST", f"/api/products/{TEA}/photos", None, (401, 403, 403, 403, 415)),
    ("POST", f"/api/products/{TEA}/photos/order", {"ids": [PHOTO]},
     (401, 403, 403, 403, 200)),
    ("GET", f"/api/products/{TEA}/photos/{PHOTO}", None, (200, 200, 200, 200, 200)),
    ("PUT", f"/api/products/{TEA}/photos/{PHOTO}", None, (401, 403, 403, 403, 415)),
    ("DELETE", f"/api/products/{TEA}/photos/{PHOTO}", None, (401, 403, 403, 403, 200)),
    ("POST", "/api/imports/products", None, (401, 403, 403, 403, 415)),
    # digital goods (this shop takes no Stars: no product may become digital)
    ("POST", f"/api/products/{TEA}/keys", {"keys": ["K-1"]}, (401, 403, 403, 403, 409)),
    ("POST", f"/api/products/{TEA}/keys/import", None, (401, 403, 403, 403, 415)),
    ("GET", f"/api/products/{TEA}/keys/counts", None, (401, 403, 403, 200, 200)),
    ("GET", f"/api/products/{TEA}/keys", None, (401, 403, 403, 403, 200)),
    ("POST", f"/api/products/{TEA}/keys/{ORDER}/put-back", None, (401, 403, 403, 403, 404)),
    ("POST", f"/api/products/{TEA}/file", None, (401, 403, 403, 403, 415)),
    ("GET", f"/api/orders/{ORDER}/goods", None, (401, 404, 404, 404, 404)),
    ("GET", f"/api/orders/{ORDER}/goods/file", None, (401, 404, 404, 404, 404)),
    ("PUT", f"/api/products/{TEA}/options", SIZES, (401, 403, 403, 403, 200)),
    ("GET", f"/api/products/{TEA}/variants", None, (200, 200, 200, 200, 200)),
    ("POST", f"/api/products/{TEA}/variants", {"options": {"Size": "M"}},
     (401, 403, 403, 403, 409)),
    ("GET", f"/api/variants/{VARIANT}", None, (404, 404, 404, 404, 404)),
    ("PATCH", f"/api/variants/{VARIANT}", {"stockDelta": 1}, (401, 403, 403, 403, 404)),
    ("POST", f"/api/variants/{VARIANT}/archive", None, (401, 403, 403, 403, 404)),
    ("GET", "/api/categories", None, (200, 200, 200, 200, 200)),
    ("GET", f"/api/categories/{CATEGORY}", None, (200, 200, 200, 200, 200)),
    ("POST", "/api/categories", {"name": "Cups"}, (401, 403, 403, 403, 201)),
    ("PATCH", f"/api/categories/{CATEGORY}", {"name": "Tisanes"}, (401, 403, 403, 403, 200)),
    ("POST", f"/api/categories/{CATEGORY}/archive", None, (401, 403, 403, 403, 200)),
    ("POST", "/api/categories/order", {"ids": [CATEGORY]}, (401, 403, 403, 403, 200)),
    ("GET", "/api/cart", None, (401, 200, 200, 200, 200)),
    ("POST", "/api/cart/add", {"productId": TEA}, (401, 200, 200, 200, 200)),
    ("POST", "/api/cart/remove", {"productId": TEA}, (401, 200, 404, 404, 404)),
    ("POST", "/api/cart/promo", {"code": "welcome"}, (401, 200, 200, 200, 200)),
    ("DELETE", "/api/cart/promo", None, (401, 200, 200, 200, 200)),
    ("GET", "/api/admin/promo-codes", None, (401, 403, 403, 200, 200)),
    ("POST", "/api/admin/promo-codes", {"code": "NEW", "kind": "fixed", "value": 100},
     (401, 403, 403, 201, 201)),
    ("GET", f"/api/admin/promo-codes/{PROMO}", None, (401, 403, 403, 200, 200)),
    ("PATCH", f"/api/admin/promo-codes/{PROMO}", {"state": "paused"}, (401, 403, 403, 200, 200)),
    ("GET", "/api/delivery-methods", None, (200, 200, 200, 200, 200)),
    ("POST", "/api/orders", None, (401, 201, 409, 409, 409)),
    ("GET", "/api/orders", None, (401, 200, 200, 200, 200)),
    ("GET", f"/api/orders/{ORDER}", None, (401, 200, 404, 404, 404)),
    ("PATCH", f"/api/orders/{ORDER}", {"status": "paid"}, (401, 403, 403, 200, 200)),
    ("GET", "/api/admin/orders", None, (401, 403, 403, 200, 200)),
    ("GET", f"/api/admin/orders/{ORDER}", None, (401, 403, 403, 200, 200)),
    ("GET", "/api/admin/users", None, (401, 403, 403, 200, 200)),
    ("GET", f"/api/admin/users/{OWNER}", None, (401, 403, 403, 200, 200)),
    ("GET", f"/api/admin/users/{OWNER}/spending", None, (401, 403, 403, 200, 200)),
    ("PATCH", f"/api/admin/users/{OWNER}", {"role": "operator"}, (401, 403, 403, 403, 200)),
    ("POST", "/api/admin/orders/status", {"status": "paid", "orderIds": [ORDER]},
     (401, 403, 403, 200, 200)),
    ("GET", "/api/admin/refunds", None, (401, 403, 403, 200, 200)),
    ("POST", f"/api/admin/orders/{ORDER}/refunded", {}, (401, 403, 403, 409, 409)),
    ("GET", "/api/reports/dashboard", None, (401, 403, 403, 200, 200)),
    ("GET", "/api/exports/orders.csv", None, (401, 403, 403, 200, 200)),
    ("GET", "/api/exports/customers.csv", None, (401, 403, 403, 200, 200)),
    ("GET", "/api/exports/products.csv", None, (401, 403, 403, 200, 200)),
    ("GET", "/api/exports/variants.csv", None, (401, 403, 403, 200, 200)),
    ("GET", "/api/reports/campaigns", None, (401, 403, 403, 200, 200)),
    ("POST", "/api/broadcasts", {"text": "Hi", "segment": SEGMENT}, (401, 403, 403, 201, 201)),
    ("GET", "/api/broadcasts", None, (401, 403, 403, 200, 200)),
    ("GET", f"/api/broadcasts/{BROADCAST}", None, (401, 403, 403, 200, 200)),
    ("POST", f"/api/broadcasts/{BROADCAST}/cancel", None, (401, 403, 403, 200, 200)),
    ("GET", "/api/me/data", None, (401, 200, 200, 200, 200)),
    ("POST", "/api/me/data/erase", {"confirm": True}, (401, 200, 200, 409, 409)),
    ("GET", f"/api/admin/users/{OWNER}/data", None, (401, 403, 403, 403, 200)),
    ("POST", f"/api/admin/users/{OWNER}/data/erase", {"confirm": True},
     (401, 403, 403, 403, 200)),
    ("GET", "/healthz", None, (200, 200, 200, 200, 200)),
    ("GET", "/readyz", None, (200, 200, 200, 200, 200)),
    ("GET", "/api/openapi.json", None, (200, 200, 200, 200, 200)),
    ("GET", "/api/docs", None, (200, 200, 200, 200, 200)),
    ("GET", "/api/docs/init.js", None, (200, 200, 200, 200, 200)),
]  # fmt: skip

CASES = [
    pytest.param(method, path, body, actor, status, id=f"{method} {path} as {actor}")
    for method, path, body, statuses in MATRIX
    for actor, status in zip(ACTORS, statuses, strict=True)
]


def fill(value: Any, world: World) -> Any:
    names = {
        TEA: str(world.tea.id),
        ARCHIVED: str(world.archived.id),
        ORDER: world.order_id,
        BROADCAST: world.broadcast_id,
        OWNER: world.alice.id,
        CATEGORY: world.category_id,
        PROMO: world.promo_id,
        VARIANT: NO_VARIANT,
        PHOTO: str(world.tea.photos[0].file_id),
        "{alice_email}": world.alice.email,
    }
    if isinstance(value, str):
        for placeholder, real in names.items():
            value = value.replace(placeholder, real)
        return value
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, world) for item in value]
    return value


@pytest.mark.parametrize(("method", "path", "body", "actor", "expected"), CASES)
async def test_authorization(
    api: Api,
    world: World,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    actor: str,
    expected: int,
) -> None:
    accounts = {
        "owner": world.alice,
        "other": world.bob,
        "operator": world.operator,
        "admin": world.admin,
    }
    account = accounts.get(actor)
    token = account.token if account else None
    kwargs = {} if body is None else {"json": fill(body, world)}
    reply = await api.request(method, fill(path, world), token=token, **kwargs)
    assert reply.status == expected, reply.body


def test_the_matrix_covers_every_documented_operation(api: Api) -> None:
    documented = {
        (method.upper(), re.sub(r"{\w+}", "{}", path))
        for path, operations in api.document["paths"].items()
        for method in operations
    }
    # every path parameter, documented or a placeholder of the world's ({tea}, {order}, ...)
    in_matrix = {(method, re.sub(r"{\w+}", "{}", path)) for method, path, _, _ in MATRIX}
    assert in_matrix == documented
