"""``python -m bench.bare_api``: the baseline server. Bare aiohttp handlers making the same
PyMongo queries as the shop's endpoints, without tokens, models, middlewares or journal.

The caller names itself in ``X-User-Id`` instead of a token. The checkout is the naive
one: guarded stock ``$inc`` per line, one order insert, cart emptied; no idempotency, no
crash recovery, no notices. Settings come from the same variables as the API's.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from bson import ObjectId

from core.catalog.commands import ProductSort
from core.catalog.products import SORTS
from core.store import Store, connect

STORE = web.AppKey("store", Store)
PAGE_SIZE = 20


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, default=str), status=status, content_type="application/json"
    )


async def _caller(request: web.Request) -> dict[str, Any]:
    user = await request.app[STORE].users.find_one({"_id": ObjectId(request.headers["X-User-Id"])})
    if user is None:
        raise web.HTTPUnauthorized()
    return user


async def list_products(request: web.Request) -> web.Response:
    products = request.app[STORE].products
    query = {"active": True}
    total = await products.count_documents(query)
    cursor = products.find(query).sort(SORTS[ProductSort.NEWEST]).skip(0).limit(PAGE_SIZE)
    return _json({"items": await cursor.to_list(), "total": total})


async def _cart(store: Store, user_id: ObjectId) -> tuple[list[dict[str, Any]], dict[Any, Any]]:
    cart = await store.carts.find_one({"userId": user_id})
    lines: list[dict[str, Any]] = [] if cart is None else cart["products"]
    cursor = store.products.find({"_id": {"$in": [line["productId"] for line in lines]}})
    return lines, {product["_id"]: product async for product in cursor}


async def view_cart(request: web.Request) -> web.Response:
    user = await _caller(request)
    lines, products = await _cart(request.app[STORE], user["_id"])
    return _json({"lines": lines, "products": list(products.values())})


async def add_to_cart(request: web.Request) -> web.Response:
    store = request.app[STORE]
    user = await _caller(request)
    body = await request.json()
    product_id, quantity = ObjectId(body["productId"]), int(body["quantity"])
    product = await store.products.find_one({"_id": product_id, "stock": {"$gte": quantity}})
    if product is None:
        return _json({"error": "out of stock"}, 409)
    lines, _ = await _cart(store, user["_id"])
    lines = [line for line in lines if line["productId"] != product_id]
    lines.append({"productId": product_id, "quantity": quantity})
    await store.carts.update_one(
        {"userId": user["_id"]}, {"$set": {"products": lines}}, upsert=True
    )
    return _json({"lines": lines})


async def remove_from_cart(request: web.Request) -> web.Response:
    user = await _caller(request)
    product_id = ObjectId((await request.json())["productId"])
    await request.app[STORE].carts.update_one(
        {"userId": user["_id"]}, {"$pull": {"products": {"productId": product_id}}}
    )
    return _json({})


async def place_order(request: web.Request) -> web.Response:
    store = request.app[STORE]
    user = await _caller(request)
    lines, products = await _cart(store, user["_id"])
    if not lines:
        return _json({"error": "empty cart"}, 422)
    taken: list[dict[str, Any]] = []
    for line in lines:
        result = await store.products.update_one(
            {"_id": line["productId"], "active": True, "stock": {"$gte": line["quantity"]}},
            {"$inc": {"stock": -line["quantity"]}},
        )
        if not result.modified_count:
            for done in taken:
                await store.products.update_one(
                    {"_id": done["productId"]}, {"$inc": {"stock": done["quantity"]}}
                )
            return _json({"error": "out of stock"}, 409)
        taken.append(line)
    order = {
        "_id": ObjectId(),
        "number": await store.next_number("orders"),
        "userId": user["_id"],
        "idempotencyKey": uuid.uuid4().hex,
        "products": lines,
        "totalAmount": sum(products[ln["productId"]]["price"] * ln["quantity"] for ln in lines),
        "status": "pending",
        "placed": True,
        "createdAt": datetime.now(UTC),
    }
    await store.orders.insert_one(order)
    await store.carts.update_one({"userId": user["_id"]}, {"$set": {"products": []}})
    return _json(order, 201)


async def ready(request: web.Request) -> web.Response:
    return _json({"status": "ok"})


def create_app(store: Store) -> web.Application:
    app = web.Application()
    app[STORE] = store
    app.router.add_get("/api/products", list_products)
    app.router.add_get("/api/cart", view_cart)
    app.router.add_post("/api/cart/add", add_to_cart)
    app.router.add_post("/api/cart/remove", remove_from_cart)
    app.router.add_post("/api/orders", place_order)
    app.router.add_get("/readyz", ready)
    return app


def main() -> None:
    client = connect(os.environ["MONGODB_URI"])
    store = Store.of(client[os.environ["MONGODB_DATABASE"]])
    web.run_app(
        create_app(store),
        host="127.0.0.1",
        port=int(os.environ["API_PORT"]),
        access_log=None,
        print=None,
    )


if __name__ == "__main__":
    main()
