"""Options and variants: what admins define, and what carts and the bot offer customers.

A product with options is sold only by variant: each variant is one document of
``variants`` holding its own stock, moved for orders by ``core/catalog/stock.py`` with the
same guarded single-document writes as a product's (``reservedBy``, ``restockedBy``), so
concurrent checkouts never oversell a variant. Archiving a variant hides it from customers
and carts; orders keep their own snapshot (name and price) of it.

SKUs are unique among products and variants together. Each collection's unique index keeps
its own; across them, a new variant or product is written and then checked against the
other collection (undone if it has the SKU), and an edit that gives one a SKU too (the SKU
given back: ``core/catalog/skus.py``), so of two racing writers of one SKU at least one
sees the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from core.accounts.access import SYSTEM, Actor
from core.accounts.models import Role
from core.base import clock
from core.base.errors import Missing, NotFound, VersionConflict
from core.base.ids import parse_id
from core.catalog import skus
from core.catalog.commands import MAX_STOCK
from core.catalog.errors import DigitalByVariant, SkuTaken, StockOutOfRange
from core.catalog.models import Product, ProductOption
from core.catalog.products import Catalog
from core.catalog.restock_alerts import RestockAlerts
from core.catalog.variants import photos
from core.catalog.variants.commands import (
    MAX_VARIANTS,
    OptionsChange,
    VariantDraft,
    VariantPatch,
    VariantQuery,
)
from core.catalog.variants.errors import (
    ChooseVariant,
    OptionsInUse,
    OptionsMismatch,
    TooManyVariants,
    VariantTaken,
)
from core.catalog.variants.models import Variant, VariantList
from core.store import Store, update_and_fetch

RESTOCKING = frozenset({"stock", "stock_delta", "active"})
"""The fields of a patch that can put a variant back in stock for customers."""


class Variants:
    def __init__(
        self, store: Store, catalog: Catalog, restock: RestockAlerts | None = None
    ) -> None:
        """``restock`` hears of variants given stock (or restored) by staff, so customers
        waiting for the product do too; ``None`` only for a reader (``Carts``')."""
        self._variants = store.variants
        self._products = store.products
        self._catalog = catalog
        self._restock = restock

    # -- admins ---------------------------------------------------------------------------

    async def set_options(self, actor: Actor, product_id: object, change: OptionsChange) -> Product:
        """Replace the product's options (version-checked against the product's version).
        Refused while a variant on sale has a value the new options drop."""
        actor.require(Role.ADMIN)
        product = await self._catalog.get(product_id, viewer=actor)
        options = [ProductOption(name=n, values=tuple(v)) for n, v in change.options.items()]
        if misfit := await self._misfits(product.id, options):
            raise OptionsInUse(misfit)
        query: dict[str, Any] = {"_id": product.id}
        if options:  # a digital product is not sold by variant
            if product.digital is not None:
                raise DigitalByVariant()
            query["digital.kind"] = {"$exists": False}
        if change.expected_version is not None:
            query["version"] = change.expected_version
        update = {
            "$set": {
                "options": [o.model_dump(by_alias=True) for o in options],
                "updatedAt": clock.now(),
            },
            "$inc": {"version": 1},
        }
        updated = await update_and_fetch(self._products, query, update)
        if updated is None:
            if options and (await self._catalog.get(product.id)).digital is not None:
                raise DigitalByVariant()  # made digital meanwhile
            raise VersionConflict("product")
        if misfit := await self._misfits(product.id, options):  # a variant made meanwhile
            undo = {"$set": {"options": [o.model_dump(by_alias=True) for o in product.options]}}
            await self._products.update_one(
                {"_id": product.id, "version": updated["version"]},
                {**undo, "$inc": {"version": 1}},
            )
            raise OptionsInUse(misfit)
        return Product.model_validate(updated)

    async def create(self, actor: Actor, product_id: object, draft: VariantDraft) -> Variant:
        actor.require(Role.ADMIN)
        product = await self._catalog.get(product_id, viewer=actor)
        if (problem := _problem(product.options, draft.options)) is not None:
            raise OptionsMismatch(problem)
        if draft.photo_id is not None:
            photos.check(product, draft.photo_id)
        if await self._variants.count_documents({"productId": product.id}) >= MAX_VARIANTS:
            raise TooManyVariants(MAX_VARIANTS)
        values = [draft.options[o.name] for o in product.options]
        name = draft.name or ", ".join(values)
        now = clock.now()
        document: dict[str, Any] = {
            "_id": ObjectId(),
            "productId": product.id,
            "name": name,
            "options": {o.name: draft.options[o.name] for o in product.options},
            "combination": _combination(draft.options),
            "price": draft.price,
            "stock": draft.stock,
            "photoId": draft.photo_id,
            "active": True,
            "version": 0,
            "createdAt": now,
            "updatedAt": now,
        }
        if draft.sku:
            document["sku"] = draft.sku
            await self._sku_free_of_products(draft.sku)
        try:
            await self._variants.insert_one(document)
        except DuplicateKeyError as exc:
            if draft.sku and "sku" in str(exc):
                raise SkuTaken(draft.sku) from None
            raise VariantTaken(name) from None
        if draft.sku and await self._products.find_one({"sku": draft.sku}, {"_id": 1}):
            await self._variants.delete_one({"_id": document["_id"]})  # a product won the race
            raise SkuTaken(draft.sku)
        if problem := await self._misfit(document["_id"]):  # the options changed meanwhile
            await self._variants.delete_one({"_id": document["_id"]})
            raise OptionsMismatch(problem)
        if await self._variants.count_documents({"productId": product.id}) > MAX_VARIANTS:
            await self._variants.delete_one({"_id": document["_id"]})  # others made meanwhile
            raise TooManyVariants(MAX_VARIANTS)
        if draft.photo_id is not None and not await self._photo_kept(
            document["_id"], draft.photo_id
        ):
            document["photoId"] = None
        variant = Variant.model_validate(document)
        await self._restocked(variant)
        return variant

    async def update(self, actor: Actor, variant_id: object, patch: VariantPatch) -> Variant:
        """Edit fields; ``stock_delta`` adjusts stock atomically within 0 and ``MAX_STOCK``;
        a ``sku`` or ``price`` given as ``None`` is cleared; ``active`` archives or
        restores (orders keep their own copy of the variant)."""
        actor.require(Role.ADMIN)
        oid = parse_id(variant_id, "variant")
        cleared = {f for f in patch.model_fields_set if getattr(patch, f) is None}
        changes = patch.model_dump(
            by_alias=True, exclude_none=True, exclude={"stock_delta", "expected_version"}
        )
        if "price" in cleared:
            changes["price"] = None
        if "photo_id" in cleared:
            changes["photoId"] = None
        query: dict[str, Any] = {"_id": oid}
        update: dict[str, Any] = {
            "$set": {**changes, "updatedAt": clock.now()},
            "$inc": {"version": 1},
        }
        if "sku" in cleared:
            update["$unset"] = {"sku": ""}  # absent, not null: the unique index is sparse
        if patch.sku:
            await self._sku_free_of_products(patch.sku)
        if patch.active:
            await self._fits_its_product(oid)
        if patch.photo_id is not None:
            await self._has_photo(oid, patch.photo_id)
        if patch.expected_version is not None:
            query["version"] = patch.expected_version
        if delta := patch.stock_delta:
            update["$inc"]["stock"] = delta
            query["stock"] = {"$gte": -delta} if delta < 0 else {"$lte": MAX_STOCK - delta}
        try:
            before = await self._variants.find_one_and_update(query, update, {"sku": 1})
        except DuplicateKeyError:
            raise SkuTaken(str(patch.sku)) from None
        if before is None:
            current = await self._document(oid)
            if patch.expected_version is not None and current["version"] != patch.expected_version:
                raise VersionConflict("variant")
            raise StockOutOfRange(current["stock"], delta or 0, MAX_STOCK)
        if patch.sku:  # a product given it at the same moment: give it back
            await skus.kept(self._variants, self._products, oid, patch.sku, before)
        if patch.active and (problem := await self._misfit(oid)):  # options changed meanwhile
            await self._variants.update_one(
                {"_id": oid, "active": True}, {"$set": {"active": False}, "$inc": {"version": 1}}
            )
            raise OptionsMismatch(problem)
        document = await self._document(oid)
        if patch.photo_id is not None and not await self._photo_kept(oid, patch.photo_id):
            document = await self._document(oid)
        variant = Variant.model_validate(document)
        if patch.model_fields_set & RESTOCKING:
            await self._restocked(variant)
        return variant

    async def archive(self, actor: Actor, variant_id: object) -> Variant:
        """Hide a variant from customers and carts; orders keep their snapshot of it."""
        return await self.update(actor, variant_id, VariantPatch(active=False))

    async def _restocked(self, variant: Variant) -> None:
        """A variant on sale with stock: its product may be back in stock for those waiting."""
        if self._restock is not None and variant.active and variant.stock > 0:
            await self._restock.fire(variant.product_id)

    async def _fits_its_product(self, variant_id: ObjectId) -> None:
        """Refuse to restore a variant whose values its product's options no longer have."""
        if problem := await self._misfit(variant_id):
            raise OptionsMismatch(problem)

    async def _misfit(self, variant_id: ObjectId) -> str | None:
        """Why the variant's values are not its product's options as they are now, or
        ``None``. A new or restored variant reads them again after its write, and new
        options read the variants on sale again after theirs: of a variant and options
        written at the same moment, one sees the other and is undone."""
        variant = Variant.model_validate(await self._document(variant_id))
        product = await self._catalog.get(variant.product_id, viewer=SYSTEM)
        return _problem(product.options, variant.options)

    async def _misfits(self, product_id: ObjectId, options: Sequence[ProductOption]) -> str:
        """The name of a variant on sale that ``options`` do not fit, or ``""``."""
        async for document in self._variants.find({"productId": product_id, "active": True}):
            variant = Variant.model_validate(document)
            if _problem(options, variant.options) is not None:
                return variant.name
        return ""

    async def _has_photo(self, variant_id: ObjectId, photo_id: ObjectId) -> None:
        """Refuse a photo the variant's product does not have."""
        variant = Variant.model_validate(await self._document(variant_id))
        photos.check(await self._catalog.get(variant.product_id, viewer=SYSTEM), photo_id)

    async def _photo_kept(self, variant_id: ObjectId, photo_id: ObjectId) -> bool:
        """Whether the variant keeps ``photo_id`` (not removed from its product meanwhile)."""
        return await photos.settle(self._variants, self._products, variant_id, photo_id)

    async def _sku_free_of_products(self, sku: str) -> None:
        if await self._products.find_one({"sku": sku}, {"_id": 1}):
            raise SkuTaken(sku)

    # -- everyone -------------------------------------------------------------------------

    async def get(self, variant_id: object, *, viewer: Actor | None = None) -> Variant:
        """A variant; an archived one, or one of a product customers cannot see, only for
        staff."""
        variant = Variant.model_validate(await self._document(parse_id(variant_id, "variant")))
        staff = viewer is not None and viewer.is_staff
        if not staff:
            product = await self._catalog.get(variant.product_id)  # hidden: not found
            if not variant.active or not product.options:
                raise NotFound(Missing.VARIANT)
        return variant

    async def of_product(
        self, product_id: object, query: VariantQuery, *, viewer: Actor | None = None
    ) -> VariantList:
        """The product's variants in the order they were made; archived ones only for staff
        who ask for them."""
        product = await self._catalog.get(product_id, viewer=viewer)
        filters: dict[str, Any] = {"productId": product.id}
        if not (viewer is not None and viewer.is_staff and query.include_inactive):
            filters["active"] = True
        found = await self._variants.find(filters, sort=[("_id", 1)]).to_list()
        return VariantList(
            product_id=product.id, items=tuple(Variant.model_validate(d) for d in found)
        )

    async def offered(self, product: Product) -> tuple[Variant, ...]:
        """What the bot offers a customer for ``product``: its variants on sale and in stock."""
        filters = {"productId": product.id, "active": True, "stock": {"$gt": 0}}
        found = await self._variants.find(filters, sort=[("_id", 1)]).to_list()
        return tuple(Variant.model_validate(d) for d in found)

    async def many(self, variant_ids: Iterable[ObjectId | None]) -> dict[ObjectId, Variant]:
        """The variants with these ids (``None``s skipped), archived ones included."""
        wanted = list({v for v in variant_ids if v is not None})
        if not wanted:
            return {}
        found = await self._variants.find({"_id": {"$in": wanted}}).to_list()
        return {d["_id"]: Variant.model_validate(d) for d in found}

    async def one(self, variant_id: ObjectId | None) -> Variant | None:
        """The variant with this id, archived or not; ``None`` for none."""
        document = (
            None if variant_id is None else await self._variants.find_one({"_id": variant_id})
        )
        return None if document is None else Variant.model_validate(document)

    async def chosen(self, product: Product, variant_id: ObjectId | None) -> Variant | None:
        """The variant a cart change names, checked against its product: ``None`` for a
        product without options; refused when the product has options and none (or an
        archived one, or another product's) is named."""
        if not product.options:
            if variant_id is not None:
                raise NotFound(Missing.VARIANT)
            return None
        if variant_id is None:
            raise ChooseVariant(product.name)
        document = await self._variants.find_one(
            {"_id": variant_id, "productId": product.id, "active": True}
        )
        if document is None:
            raise NotFound(Missing.VARIANT)
        return Variant.model_validate(document)

    async def as_offered(self, products: Sequence[Product]) -> list[Product]:
        """``products`` with each one that has options showing what its variants on sale
        offer a customer: as ``stock``, what they hold together; as ``price``, the lowest of
        those in stock (the product's own while none is)."""
        optioned = {p.id: p for p in products if p.options}
        if not optioned:
            return list(products)
        found = self._variants.find(
            {"productId": {"$in": list(optioned)}, "active": True},
            {"productId": 1, "stock": 1, "price": 1},
        )
        stock: dict[ObjectId, int] = {}
        prices: dict[ObjectId, list[int]] = {}
        async for variant in found:
            product = optioned[variant["productId"]]
            stock[product.id] = stock.get(product.id, 0) + variant["stock"]
            if variant["stock"] > 0:
                own = variant.get("price")
                prices.setdefault(product.id, []).append(product.price if own is None else own)
        return [
            p.model_copy(
                update={"stock": stock.get(p.id, 0), "price": min(prices.get(p.id, [p.price]))}
            )
            if p.options
            else p
            for p in products
        ]

    async def _document(self, variant_id: ObjectId) -> dict[str, Any]:
        document = await self._variants.find_one({"_id": variant_id})
        if document is None:
            raise NotFound(Missing.VARIANT)
        return document


def _problem(options: Sequence[ProductOption], chosen: dict[str, str]) -> str | None:
    """Why ``chosen`` is not one value of each of ``options``, or ``None``."""
    if not options:
        return "the product has no options: define them first"
    names = {o.name for o in options}
    if extra := sorted(set(chosen) - names):
        return f"the product has no option {extra[0]}"
    for option in options:
        if option.name not in chosen:
            return f"give a value for {option.name}"
        if chosen[option.name] not in option.values:
            return f"{option.name} has no value {chosen[option.name]}"
    return None


def _combination(chosen: dict[str, str]) -> str:
    """The values by option name, as one key unique per product (an index's)."""
    return "\x1f".join(f"{name}={value}" for name, value in sorted(chosen.items()))
