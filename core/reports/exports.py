"""Orders, customers, products and variants as CSV for spreadsheets (columns: docs/api.md,
"Exports").

An export reads its collection through one cursor, ``BATCH`` documents at a time, joins
what a batch needs in one more read (the orders' customers, the customers' order totals)
and hands the batch on as one chunk of CSV (``core/reports/sheets.py``): memory stays the
same however many rows there are, and the header goes out before the first read. Rows are
made from the documents as read (only the fields they show), not through the models: a
model per row would be most of an export's time, and the rows hand out nothing but text.

Money is written twice: in minor units (``total_minor``: ``1250``) and as a decimal of the
currency named in the row (``total``: ``12.50``). Times are ISO 8601 with the offset of the
shop's time zone (``SHOP_TIMEZONE``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from bson import ObjectId

from core.accounts.access import Actor
from core.accounts.models import STAFF, Role
from core.base import clock
from core.base.money import major_units
from core.catalog.models import Category
from core.catalog.tree import path_names
from core.config import CoreSettings
from core.reports.models import CsvExport
from core.reports.sheets import Row, csv_chunks
from core.reports.tallies import KEPT, SALE, when
from core.sales.commands import OrderFilter
from core.sales.orders import order_filters
from core.store import Collection, Store

BATCH = 500
"""Documents a cursor brings per round trip, and rows per chunk of CSV."""

ORDER_COLUMNS = (
    "number", "id", "created_at", "updated_at", "status",
    "customer_id", "customer_name", "customer_email", "customer_telegram_id",
    "items", "units", "currency", "total_minor", "total", "delivery_fee_minor", "delivery_fee",
    "delivery_method", "recipient_name", "phone", "address", "note",
    "payment_method", "payment_state", "paid_at", "refunded_at",
    "promo_code", "discount_minor", "discount",
)  # fmt: skip
CUSTOMER_COLUMNS = (
    "id", "name", "email", "telegram_id", "language", "active", "telegram_blocked",
    "created_at", "orders", "paid_orders", "spent_minor", "spent", "currency", "last_order_at",
)  # fmt: skip
PRODUCT_COLUMNS = (
    "sku", "id", "name", "description", "category_id", "category", "currency", "price_minor",
    "price", "stock", "low_stock_threshold", "low_stock", "active", "created_at", "updated_at",
)  # fmt: skip
"""What an import reads (``core/catalog/import_files.py``), named as it names them, so an
export imported again changes nothing; the others it ignores."""
VARIANT_COLUMNS = (
    "product_sku", "product_id", "product", "id", "sku", "name", "options", "currency",
    "price_minor", "price", "own_price", "stock", "active", "created_at", "updated_at",
)  # fmt: skip
"""A row per variant of a product sold by variant (``core/catalog/variants/``)."""

Batches = AsyncIterator[list[Row]]
ORDER_FIELDS = (
    "number", "createdAt", "updatedAt", "status", "userId", "products.name",
    "products.quantity", "currency", "totalAmount", "delivery", "payment.method",
    "payment.state", "payment.paidAt", "payment.refundedAt", "promo.code", "promo.discount",
)  # fmt: skip
"""What the orders' rows read: not their history and outbox, most of an order's bytes."""
CUSTOMER_FIELDS = ("name", "email", "telegramId", "language", "active", "telegramBlocked",
                   "createdAt")  # fmt: skip
PRODUCT_FIELDS = ("sku", "name", "description", "categoryId", "currency", "price", "stock",
                  "lowStockThreshold", "active", "createdAt", "updatedAt", "options")  # fmt: skip
VARIANT_FIELDS = ("productId", "sku", "name", "options", "price", "stock", "active",
                  "createdAt", "updatedAt")  # fmt: skip
BY_ID = [("_id", 1)]
"""The order customers and products were made in (an id begins with its time), served by
the ``_id`` index on every engine."""


async def batches_of(
    collection: Collection,
    query: dict[str, Any],
    sort: list[tuple[str, int]],
    fields: tuple[str, ...],
) -> AsyncIterator[list[dict[str, Any]]]:
    """``query``'s documents in ``sort`` order with only ``fields``, ``BATCH`` at a time."""
    cursor = collection.find(query, dict.fromkeys(fields, 1), sort=sort, batch_size=BATCH)
    try:
        while batch := await cursor.to_list(BATCH):
            yield batch
    finally:
        await cursor.close()


class Exports:
    def __init__(self, store: Store, settings: CoreSettings) -> None:
        self._store = store
        self._zone = settings.zone
        self._currency = settings.shop_currency
        self._threshold = settings.low_stock_threshold

    async def orders(self, actor: Actor, query: OrderFilter) -> CsvExport:
        """The orders ``query`` selects (as the staff listing does), oldest first."""
        actor.require(*STAFF)
        return self._export("orders", ORDER_COLUMNS, self._order_rows(query))

    async def customers(self, actor: Actor) -> CsvExport:
        """Every customer account (staff are left out), oldest first, with their orders."""
        actor.require(*STAFF)
        return self._export("customers", CUSTOMER_COLUMNS, self._customer_rows())

    async def products(self, actor: Actor) -> CsvExport:
        """Every product, archived ones too, oldest first."""
        actor.require(*STAFF)
        return self._export("products", PRODUCT_COLUMNS, self._product_rows())

    async def variants(self, actor: Actor) -> CsvExport:
        """Every variant, archived ones too, oldest first, with its product."""
        actor.require(*STAFF)
        return self._export("variants", VARIANT_COLUMNS, self._variant_rows())

    def _export(self, name: str, header: tuple[str, ...], rows: Batches) -> CsvExport:
        day = clock.now().astimezone(self._zone).date()
        return CsvExport(filename=f"{name}-{day.isoformat()}.csv", chunks=csv_chunks(header, rows))

    def _local(self, moment: datetime | None) -> datetime | None:
        return None if moment is None else moment.astimezone(self._zone)

    async def _order_rows(self, query: OrderFilter) -> Batches:
        oldest_first = [("createdAt", 1), ("_id", 1)]
        filters = await order_filters(query, self._store.users)
        orders = batches_of(self._store.orders, filters, oldest_first, ORDER_FIELDS)
        async for batch in orders:
            people = {d["userId"] for d in batch}
            found = self._store.users.find(
                {"_id": {"$in": list(people)}}, {"name": 1, "email": 1, "telegramId": 1}
            )
            customers = {user["_id"]: user async for user in found}
            yield [self._order_row(order, customers.get(order["userId"], {})) for order in batch]

    def _order_row(self, order: dict[str, Any], customer: dict[str, Any]) -> Row:
        currency = order["currency"]
        money = _money(currency)
        lines = order.get("products", [])
        delivery = order.get("delivery") or {}
        payment = order.get("payment") or {}
        fee = delivery.get("fee")
        promo = order.get("promo") or {}
        return (
            order["number"],
            str(order["_id"]),
            self._local(order["createdAt"]),
            self._local(order.get("updatedAt")),
            order["status"],
            str(order["userId"]),
            customer.get("name"),
            customer.get("email"),
            customer.get("telegramId"),
            "; ".join(f"{line['name']} x {line['quantity']}" for line in lines),
            sum(line["quantity"] for line in lines),
            currency,
            *money(order["totalAmount"]),
            *money(fee),
            delivery.get("method"),
            delivery.get("recipientName"),
            delivery.get("phone"),
            delivery.get("address"),
            delivery.get("note"),
            payment.get("method"),
            payment.get("state", "unpaid"),
            self._local(payment.get("paidAt")),
            self._local(payment.get("refundedAt")),
            promo.get("code"),
            *money(promo.get("discount")),
        )

    async def _customer_rows(self) -> Batches:
        customers = {"role": Role.USER.value}
        users = batches_of(self._store.users, customers, BY_ID, CUSTOMER_FIELDS)
        async for batch in users:
            totals = await self._order_totals([user["_id"] for user in batch])
            yield [self._customer_row(user, totals.get(user["_id"], {})) for user in batch]

    async def _order_totals(self, user_ids: list[ObjectId]) -> dict[ObjectId, dict[str, Any]]:
        """Per customer: orders placed, paid orders, what the shop kept, the last order."""
        pipeline: list[dict[str, Any]] = [
            {"$match": {"userId": {"$in": user_ids}, "placed": True}},
            {
                "$group": {
                    "_id": "$userId",
                    "orders": {"$sum": 1},
                    "paid": when(SALE, 1),
                    "spent": {"$sum": KEPT},
                    "last": {"$max": "$createdAt"},
                }
            },
        ]
        found = await (await self._store.orders.aggregate(pipeline)).to_list()
        return {row["_id"]: row for row in found}

    def _customer_row(self, user: dict[str, Any], totals: dict[str, Any]) -> Row:
        return (
            str(user["_id"]),
            user["name"],
            user["email"],
            user.get("telegramId"),
            user.get("language"),
            user.get("active", True),
            user.get("telegramBlocked", False),
            self._local(user["createdAt"]),
            totals.get("orders", 0),
            totals.get("paid", 0),
            *_money(self._currency)(totals.get("spent", 0)),
            self._currency,
            self._local(totals.get("last")),
        )

    async def _product_rows(self) -> Batches:
        categories = path_names(
            [Category.model_validate(c) for c in await self._store.categories.find({}).to_list()]
        )
        products = batches_of(self._store.products, {}, BY_ID, PRODUCT_FIELDS)
        async for batch in products:
            yield [self._product_row(product, categories) for product in batch]

    async def _variant_rows(self) -> Batches:
        async for batch in batches_of(self._store.variants, {}, BY_ID, VARIANT_FIELDS):
            found = self._store.products.find(
                {"_id": {"$in": list({v["productId"] for v in batch})}},
                {"sku": 1, "name": 1, "price": 1, "currency": 1},
            )
            products = {product["_id"]: product async for product in found}
            yield [self._variant_row(v, products.get(v["productId"], {})) for v in batch]

    def _variant_row(self, variant: dict[str, Any], product: dict[str, Any]) -> Row:
        currency = product.get("currency", self._currency)
        own = variant.get("price")
        price = product.get("price") if own is None else own
        return (
            product.get("sku"),
            str(variant["productId"]),
            product.get("name"),
            str(variant["_id"]),
            variant.get("sku"),
            variant["name"],
            "; ".join(f"{name}: {value}" for name, value in variant["options"].items()),
            currency,
            *_money(currency)(price),
            own is not None,
            variant["stock"],
            variant.get("active", True),
            self._local(variant["createdAt"]),
            self._local(variant.get("updatedAt")),
        )

    def _product_row(self, product: dict[str, Any], categories: dict[ObjectId, str]) -> Row:
        own = product.get("lowStockThreshold")
        threshold = self._threshold if own is None else own
        category = product.get("categoryId")
        return (
            product.get("sku"),
            str(product["_id"]),
            product["name"],
            product.get("description", ""),
            None if category is None else str(category),
            categories.get(category) if category is not None else None,
            product["currency"],
            *_money(product["currency"])(product["price"]),
            product["stock"],
            own,
            product["stock"] <= threshold and not product.get("options"),  # sold by variant: none
            product.get("active", True),
            self._local(product["createdAt"]),
            self._local(product.get("updatedAt")),
        )


def _money(currency: str) -> Callable[[int | None], tuple[int | None, Decimal | None]]:
    """An amount's two cells: minor units, and the decimal of ``currency``."""

    def cells(amount: int | None) -> tuple[int | None, Decimal | None]:
        return (None, None) if amount is None else (amount, major_units(amount, currency))

    return cells
