"""Products: what admins create, edit and archive, and what customers browse."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from core.accounts.access import Actor
from core.accounts.models import Role
from core.base import clock
from core.base.errors import Missing, NotFound, VersionConflict
from core.base.ids import parse_id
from core.base.models import Page
from core.catalog import skus
from core.catalog.categories import ON_SALE, Categories
from core.catalog.commands import (
    MAX_STOCK,
    NO_CATEGORY,
    ProductDraft,
    ProductPatch,
    ProductQuery,
    ProductSort,
)
from core.catalog.errors import SkuTaken, StockFromKeys, StockOutOfRange, WrongCurrency
from core.catalog.models import GoodsKind, Product
from core.catalog.restock_alerts import RestockAlerts
from core.catalog.stock_alerts import StockAlerts
from core.store import Store, find_page

SKU_BATCH = 500
"""SKUs asked for in one query."""

RESTOCKING = frozenset({"stock", "stock_delta", "active", "category_id"})
"""The fields of a patch that can make a sold-out product available (``fire``)."""

SORTS: dict[ProductSort, list[tuple[str, int]]] = {
    ProductSort.NEWEST: [("createdAt", -1), ("_id", -1)],
    ProductSort.PRICE_ASC: [("price", 1), ("_id", 1)],
    ProductSort.PRICE_DESC: [("price", -1), ("_id", -1)],
    ProductSort.NAME: [("name", 1), ("_id", 1)],
}


class Catalog:
    def __init__(
        self,
        store: Store,
        currency: str,
        categories: Categories,
        alerts: StockAlerts,
        restock: RestockAlerts,
    ) -> None:
        self._products = store.products
        self._variants = store.variants  # SKUs are unique across both (core/catalog/variants/)
        self._categories = categories
        self.currency = currency
        self._alerts = alerts
        self._restock = restock

    async def create(self, actor: Actor, draft: ProductDraft) -> Product:
        actor.require(Role.ADMIN)
        currency = draft.currency or self.currency
        if currency != self.currency:
            raise WrongCurrency(self.currency)
        now = clock.now()
        document = {
            "_id": ObjectId(),
            **draft.model_dump(by_alias=True, exclude=None if draft.sku else {"sku"}),
            **await self._categories.placement(draft.category_id),
            "currency": currency,
            "version": 0,
            "createdAt": now,
            "updatedAt": now,
        }
        await self._sku_free_of_variants(draft.sku)
        try:
            await self._products.insert_one(document)
        except DuplicateKeyError:
            raise SkuTaken(str(draft.sku)) from None
        if draft.sku and await self._variants.find_one({"sku": draft.sku}, {"_id": 1}):
            await self._products.delete_one({"_id": document["_id"]})  # a variant won the race
            raise SkuTaken(draft.sku)
        if draft.category_id is not None:
            await self._categories.settle(document["_id"], draft.category_id)
            return await self.get(document["_id"], viewer=actor)
        return Product.model_validate(document)

    async def update(self, actor: Actor, product_id: object, patch: ProductPatch) -> Product:
        """Edit fields; ``stock_delta`` adjusts stock atomically, within 0 and ``MAX_STOCK``;
        a ``sku`` or ``low_stock_threshold`` given as ``None`` is cleared."""
        actor.require(Role.ADMIN)
        oid = parse_id(product_id)
        changes = patch.model_dump(
            by_alias=True,
            exclude_none=True,
            exclude={"stock_delta", "expected_version", "category_id"},
        )
        cleared = {f for f in patch.model_fields_set if getattr(patch, f) is None}
        if "low_stock_threshold" in cleared:
            changes["lowStockThreshold"] = None
        moves = "category_id" in patch.model_fields_set
        if moves:
            changes |= await self._categories.placement(patch.category_id)
        query: dict[str, Any] = {"_id": oid}
        update: dict[str, Any] = {
            "$set": {**changes, "updatedAt": clock.now()},
            "$inc": {"version": 1},
        }
        if "sku" in cleared:
            update["$unset"] = {"sku": ""}  # absent, not null: the unique index is sparse
        await self._sku_free_of_variants(patch.sku)
        if patch.expected_version is not None:
            query["version"] = patch.expected_version
        if delta := patch.stock_delta:
            update["$inc"]["stock"] = delta
            query["stock"] = {"$gte": -delta} if delta < 0 else {"$lte": MAX_STOCK - delta}
        if keys_stock := stock_of_keys(patch):
            query["$or"] = keys_stock
        try:
            before = await self._products.find_one_and_update(query, update, {"sku": 1})
        except DuplicateKeyError:
            raise SkuTaken(str(patch.sku)) from None
        if before is None:
            current = await self._get_document(oid)
            if patch.expected_version is not None and current["version"] != patch.expected_version:
                raise VersionConflict("product")
            if keys_stock and (current.get("digital") or {}).get("kind") == GoodsKind.KEYS:
                raise StockFromKeys()
            raise StockOutOfRange(current["stock"], delta or 0, MAX_STOCK)
        if patch.sku:  # a variant given it at the same moment: give it back
            await skus.kept(self._products, self._variants, oid, patch.sku, before)
        document = await self._get_document(oid)
        if moves and patch.category_id is not None:
            await self._categories.settle(oid, patch.category_id)
            document = await self._get_document(oid)
        if document.get("lowStock") and await self._alerts.rearm(oid):  # restocked
            document = await self._get_document(oid)
        if patch.model_fields_set & RESTOCKING:  # fire checks the stock (or the variants')
            await self._restock.fire(oid)  # back in stock (or on sale) for those waiting
        return Product.model_validate(document)

    async def archive(self, actor: Actor, product_id: object) -> Product:
        """Hide a product from customers. Orders keep their own snapshot of it."""
        return await self.update(actor, product_id, ProductPatch(active=False))

    async def get(self, product_id: object, *, viewer: Actor | None = None) -> Product:
        """A product; an archived one (or one in an archived category) only for staff:
        customers are told there is none."""
        product = Product.model_validate(await self._get_document(parse_id(product_id)))
        if not product.on_sale and not _sees_archived(viewer):
            raise NotFound(Missing.PRODUCT)
        return product

    async def many(self, product_ids: Iterable[ObjectId]) -> dict[ObjectId, Product]:
        """The products with these ids, archived ones included, keyed by id."""
        cursor = self._products.find({"_id": {"$in": list(product_ids)}})
        return {doc["_id"]: Product.model_validate(doc) for doc in await cursor.to_list()}

    async def with_skus(self, skus: Iterable[str]) -> dict[str, Product]:
        """The products with these SKUs (stored upper case), archived ones included, by SKU;
        asked ``SKU_BATCH`` at a time (see ``core/store.py`` on ``$in``)."""
        wanted, found = list(skus), {}
        for start in range(0, len(wanted), SKU_BATCH):
            batch = wanted[start : start + SKU_BATCH]
            async for document in self._products.find({"sku": {"$in": batch}}):
                found[document["sku"]] = Product.model_validate(document)
        return found

    async def list(self, query: ProductQuery, *, viewer: Actor | None = None) -> Page[Product]:
        """A page of products; archived ones only for staff who ask for them. A parent
        category's products are its own and its subcategories' (unless
        ``query.subcategories`` is false)."""
        filters: dict[str, Any] = {}
        if not (_sees_archived(viewer) and query.include_inactive):
            filters |= ON_SALE
        if query.category == NO_CATEGORY:
            filters["categoryId"] = None
        elif query.category is not None:
            category = parse_id(query.category, "category")
            filters["categoryId"] = (
                {"$in": await self._categories.with_subcategories(category)}
                if query.subcategories
                else category
            )
        if words := query.q.strip():
            filters["name"] = {"$regex": re.escape(words), "$options": "i"}
        return await find_page(
            self._products, filters, SORTS[query.sort], Product, query.page, query.limit
        )

    async def variant_skus(self, skus: Iterable[str]) -> set[str]:
        """Which of these SKUs a variant has (``core/catalog/variants/``)."""
        wanted, found = list(skus), set()
        for start in range(0, len(wanted), SKU_BATCH):
            batch = wanted[start : start + SKU_BATCH]
            async for document in self._variants.find({"sku": {"$in": batch}}, {"sku": 1}):
                found.add(document["sku"])
        return found

    async def _sku_free_of_variants(self, sku: str | None) -> None:
        if sku and await self._variants.find_one({"sku": sku}, {"_id": 1}):
            raise SkuTaken(sku)

    async def _get_document(self, product_id: ObjectId) -> dict[str, Any]:
        document = await self._products.find_one({"_id": product_id})
        if document is None:
            raise NotFound(Missing.PRODUCT)
        return document


def stock_of_keys(patch: ProductPatch) -> list[dict[str, Any]]:
    """The guard of a patch that changes stock: a key product's stock is its free keys
    (``core/digital/pool.py``), so only a product of another kind may take it (a key
    product: the same stock, as a form that sends every field does)."""
    other = {"digital.kind": {"$ne": GoodsKind.KEYS.value}}
    if patch.stock_delta:
        return [other]
    if patch.stock is not None:
        return [other, {"stock": patch.stock}]
    return []


def _sees_archived(viewer: Actor | None) -> bool:
    return viewer is not None and viewer.is_staff
