"""A product's pool of unique keys (licence keys, gift codes, vouchers), collection
``goods_keys``; the keys sealed (``core/digital/sealing.py``).

**The product's stock is the number of free keys**, so checkout's guarded stock take (no
oversell) lets only as many orders be placed as there are keys. Keys enter the pool
(an upload, or a returned key put back) in a batch, each step one write:

1. the keys are written ``adding``, with the batch's id and a lease (new ones inserted:
   a key already in the pool is refused by the unique index on its keyed hash);
2. the product's stock grows by the batch, and the product records the batch
   (``digital.batches``), guarded so that a batch counts once;
3. the keys become ``free``; 4. the product forgets the batch, and the customers waiting
   for it to be back in stock hear that it is (``core/catalog/restock_alerts.py``).

Recovery (a lease after 1): a batch the product records is finished (3, 4); one it does
not is undone (new keys deleted, put-back keys ``returned`` again).

Keys leave the pool only through ``take``: one guarded ``find_one_and_update`` from
``free`` to ``taken`` that writes the unit's ``slot`` (order, line, unit), unique: a
second delivery of the same unit (a redelivered payment, two workers, a recovery) finds
the key the first took, never a second one. Stock is not touched there: checkout took
it. A cancelled order's keys become ``returned`` (``return_order``) and stay out of the
pool, and out of the stock, until staff put them back.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bson import Binary, ObjectId
from pymongo import DESCENDING
from pymongo.errors import BulkWriteError, DuplicateKeyError

from core.accounts.access import Actor
from core.accounts.models import STAFF, Role
from core.base import clock
from core.base.errors import FieldError, Missing, NotFound
from core.base.ids import parse_id
from core.base.models import Page
from core.catalog.commands import MAX_STOCK
from core.catalog.errors import DigitalByVariant
from core.catalog.models import GoodsKind, Product
from core.catalog.products import Catalog
from core.catalog.restock_alerts import RestockAlerts
from core.catalog.stock_alerts import StockAlerts
from core.digital.commands import MAX_KEY_LENGTH, MAX_KEYS_PER_UPLOAD, KeyListQuery
from core.digital.errors import InvalidKeys, KeyNotReturned, OtherGoods, StarsOnly
from core.digital.models import KeyState, KeyUploadReport, PoolCounts, PoolKey
from core.digital.sealing import Sealer
from core.store import DUPLICATE_KEY, Store

BATCHES = "digital.batches"
RETURNED_SHOWN = 50
"""Returned keys ``KeyPool.returned`` lists (put one back and the next shows)."""
NO_OPTIONS = "options.0"
"""Guarded ``$exists: false``: a product that is not sold by variant (no options)."""


@dataclass(frozen=True)
class Restocked:
    """What a write that gives a product stock owes after it (as ``Catalog.update`` and
    ``Stock`` do): the low-stock alert re-armed, and those who asked told it is back."""

    alerts: StockAlerts
    restock: RestockAlerts

    async def __call__(self, product_id: ObjectId) -> None:
        await self.alerts.rearm(product_id)
        await self.restock.fire(product_id)


def slot_of(order_id: ObjectId, line: int, unit: int) -> str:
    """The one place in an order a key can fill: a unit of a line."""
    return f"{order_id}:{line}:{unit}"


def parse_keys(text: str) -> list[str]:
    """The keys of a text or CSV file, repeats included: one a line (a CSV's first
    column), blank lines and a ``key`` header skipped, spaces around trimmed; or
    ``InvalidKeys``."""
    keys: list[str] = []
    problems = []
    for number, raw in enumerate(text.splitlines(), start=1):
        key = _first_column(raw)
        if not key or (number == 1 and key == "key"):
            continue
        if len(key) > MAX_KEY_LENGTH or not key.isprintable():
            problems.append(
                FieldError(
                    ("keys", number),
                    f"line {number}: at most {MAX_KEY_LENGTH} printable characters",
                )
            )
            continue
        keys.append(key)
    if problems:
        raise InvalidKeys("Some keys are not valid; nothing was added.", problems[:20])
    if not keys:
        raise InvalidKeys("The upload has no keys: one key a line.")
    if len(keys) > MAX_KEYS_PER_UPLOAD:
        raise InvalidKeys(f"At most {MAX_KEYS_PER_UPLOAD} keys an upload.")
    return keys


def decode_keys(data: bytes) -> str:
    """A key file's text: UTF-8 (a BOM allowed), or ``InvalidKeys`` naming the line; never
    a guess, which would sell keys mangled."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problem = FieldError(("keys", line), f"line {line}: not UTF-8 text")
        raise InvalidKeys(
            "The file is not UTF-8 text: save it as UTF-8 (CSV or plain text).", [problem]
        ) from None


def _first_column(line: str) -> str:
    """A CSV line's first field, trimmed: ``"A,B",note`` holds the key ``A,B``."""
    try:
        fields = next(csv.reader([line.strip()]), [""])
    except csv.Error:  # not CSV after all: the line up to its first comma
        fields = line.split(",", 1)
    return (fields or [""])[0].strip()


class KeyPool:
    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        sealer: Sealer,
        sells_for_stars: bool,
        lease: timedelta,
        restocked: Restocked,
    ) -> None:
        """``restocked`` hears of keys that became free: those waiting for the product, and
        its low-stock alert."""
        self._restocked = restocked
        self._keys = store.goods_keys
        self._products = store.products
        self._catalog = catalog
        self._sealer = sealer
        self._sells_for_stars = sells_for_stars
        self._lease = lease

    @property
    def sells_for_stars(self) -> bool:
        """Whether the shop takes Stars, so that its products may be digital goods."""
        return self._sells_for_stars

    # -- staff -----------------------------------------------------------------------------

    async def add_text(self, actor: Actor, product_id: object, text: str) -> KeyUploadReport:
        """``add`` the keys of a text or CSV file (``parse_keys``)."""
        actor.require(Role.ADMIN)
        return await self.add(actor, product_id, parse_keys(text))

    async def add_file(self, actor: Actor, product_id: object, data: bytes) -> KeyUploadReport:
        """``add_text`` of a file's bytes (``decode_keys``)."""
        actor.require(Role.ADMIN)
        return await self.add_text(actor, product_id, decode_keys(data))

    async def add(self, actor: Actor, product_id: object, given: Sequence[str]) -> KeyUploadReport:
        """Add keys to the product's pool, each once (``given`` are checked already: see
        ``KeyUpload``); the product becomes a key product if it was not digital (its stock:
        its free keys)."""
        actor.require(Role.ADMIN)
        keys = list(dict.fromkeys(given))
        product = await self._key_product(actor, product_id)
        now = clock.now()
        batch = uuid.uuid4().hex
        documents = [
            {
                "_id": ObjectId(),
                "productId": product.id,
                "sealed": Binary(self._sealer.seal(product.id, key)),
                "fingerprint": self._sealer.fingerprint(product.id, key),
                "state": KeyState.ADDING.value,
                "batch": batch,
                "leaseUntil": now + self._lease,
                "addedAt": now,
            }
            for key in keys
        ]
        added = await _insert_counting(self._keys, documents)
        if added:
            await self._count_in(product, batch, added)
            await self._settle(product.id, batch)
        return KeyUploadReport(
            added=added, duplicates=len(given) - added, pool=await self.counts(actor, product.id)
        )

    async def put_back(self, actor: Actor, product_id: object, key_id: object) -> PoolCounts:
        """Make a returned key free again: it can be sold once more."""
        actor.require(Role.ADMIN)
        product = await self._catalog.get(product_id, viewer=actor)
        key = await self._keys.find_one({"_id": parse_id(key_id), "productId": product.id})
        if key is None:
            raise NotFound(Missing.KEY)
        batch = uuid.uuid4().hex
        moved = await self._keys.update_one(
            {"_id": key["_id"], "state": KeyState.RETURNED.value},
            {
                "$set": {
                    "state": KeyState.ADDING.value,
                    "batch": batch,
                    "leaseUntil": clock.now() + self._lease,
                }
            },
        )
        if moved.matched_count == 0:
            raise KeyNotReturned()
        await self._count_in(product, batch, 1)
        await self._settle(product.id, batch)
        return await self.counts(actor, product.id)

    async def counts(self, actor: Actor, product_id: object) -> PoolCounts:
        """How many keys are free, taken and returned (staff; never the keys)."""
        actor.require(*STAFF)
        product = await self._catalog.get(product_id, viewer=actor)
        tally = {state: 0 for state in KeyState}
        pipeline: list[dict[str, Any]] = [
            {"$match": {"productId": product.id}},
            {"$group": {"_id": "$state", "n": {"$sum": 1}}},
        ]
        async for row in await self._keys.aggregate(pipeline):
            tally[KeyState(row["_id"])] = row["n"]
        return PoolCounts(
            product_id=product.id,
            free=tally[KeyState.FREE],
            taken=tally[KeyState.TAKEN],
            returned=tally[KeyState.RETURNED],
            stock=product.stock,
        )

    async def listing(self, actor: Actor, product_id: object, query: KeyListQuery) -> Page[PoolKey]:
        """The pool's keys, newest first; the keys themselves only for admins who ask."""
        actor.require(Role.ADMIN)
        product = await self._catalog.get(product_id, viewer=actor)
        filters = {"productId": product.id}
        total = await self._keys.count_documents(filters)
        cursor = (
            self._keys.find(filters)
            .sort([("addedAt", DESCENDING), ("_id", DESCENDING)])
            .skip((query.page - 1) * query.limit)
            .limit(query.limit)
        )
        items = []
        async for document in cursor:
            secret = self.open(document) if query.secrets else None
            shown = {**document, "id": document["_id"], "secret": secret}
            items.append(PoolKey.model_validate(shown))
        return Page[PoolKey](items=tuple(items), total=total, page=query.page, limit=query.limit)

    async def returned(self, actor: Actor, product_id: object) -> tuple[PoolKey, ...]:
        """The product's returned keys (their cancelled orders'), newest first, at most
        ``RETURNED_SHOWN``; never the keys themselves."""
        actor.require(Role.ADMIN)
        product = await self._catalog.get(product_id, viewer=actor)
        cursor = (
            self._keys.find({"productId": product.id, "state": KeyState.RETURNED.value})
            .sort([("returnedAt", DESCENDING), ("_id", DESCENDING)])
            .limit(RETURNED_SHOWN)
        )
        return tuple(
            PoolKey.model_validate({**document, "id": document["_id"], "secret": None})
            for document in await cursor.to_list()
        )

    # -- delivery --------------------------------------------------------------------------

    async def take(
        self, order_id: ObjectId, user_id: ObjectId, product_id: ObjectId, slot: str
    ) -> dict[str, Any] | None:
        """The key of ``slot``: the one taken for it before, or a free one now; None when
        the pool has none free."""
        if (taken := await self._keys.find_one({"slot": slot})) is not None:
            return taken
        fields = {
            "state": KeyState.TAKEN.value,
            "slot": slot,
            "orderId": order_id,
            "userId": user_id,
            "takenAt": clock.now(),
        }
        try:
            before = await self._keys.find_one_and_update(
                {"productId": product_id, "state": KeyState.FREE.value}, {"$set": fields}
            )
        except DuplicateKeyError:  # another delivery of this unit took one first
            return await self._keys.find_one({"slot": slot})
        return None if before is None else {**before, **fields}

    async def of_order(self, order_id: ObjectId) -> list[dict[str, Any]]:
        """The keys taken for an order (returned ones too), by slot."""
        return await self._keys.find({"orderId": order_id}).sort("slot", 1).to_list()

    async def return_order(self, order_id: ObjectId) -> int:
        """Mark the cancelled order's taken keys returned (idempotent); how many."""
        returned = await self._keys.update_many(
            {"orderId": order_id, "state": KeyState.TAKEN.value},
            {"$set": {"state": KeyState.RETURNED.value, "returnedAt": clock.now()}},
        )
        return returned.modified_count

    def open(self, key: dict[str, Any]) -> str:
        return self._sealer.open(key["productId"], bytes(key["sealed"]))

    # -- recovery --------------------------------------------------------------------------

    async def recover(self, at: datetime | None = None) -> int:
        """Finish or undo the batches whose lease expired before ``at``; how many."""
        cutoff = at or clock.now()
        stalled = await self._keys.distinct(
            "batch", {"state": KeyState.ADDING.value, "leaseUntil": {"$lt": cutoff}}
        )
        for batch in stalled:
            key = await self._keys.find_one({"batch": batch}, {"productId": 1})
            if key is None:
                continue
            counted = await self._products.find_one(
                {"_id": key["productId"], f"{BATCHES}.id": batch}, {"_id": 1}
            )
            if counted is not None:
                await self._settle(key["productId"], batch)
            else:
                await self._undo(batch)
        leftover = self._products.find(
            {f"{BATCHES}.at": {"$lt": cutoff - self._lease}}, {BATCHES: 1}
        )
        forgotten = 0
        async for product in leftover:
            for entry in product["digital"]["batches"]:
                await self._settle(product["_id"], entry["id"])
                forgotten += 1
        return len(stalled) + forgotten

    # -- helpers ---------------------------------------------------------------------------

    async def _key_product(self, actor: Actor, product_id: object) -> Product:
        if not self._sells_for_stars:
            raise StarsOnly()
        product = await self._catalog.get(product_id, viewer=actor)
        if product.digital is not None and product.digital.kind is not GoodsKind.KEYS:
            raise OtherGoods(product.digital.kind.value)
        if product.options:
            raise DigitalByVariant()
        return product

    async def _count_in(self, product: Product, batch: str, count: int) -> None:
        """Step 2: the product's stock grows by ``count`` (a product that was not a key
        product yet starts from its free keys), once."""
        entry = {"id": batch, "at": clock.now()}
        guard = {"_id": product.id, f"{BATCHES}.id": {"$ne": batch}}
        change: dict[str, Any] = {"$push": {BATCHES: entry}, "$inc": {"version": 1}}
        if product.digital is None:
            guard["digital"] = {"$exists": False}
            guard[NO_OPTIONS] = {"$exists": False}  # not sold by variant meanwhile
            change["$set"] = {"digital.kind": GoodsKind.KEYS.value, "stock": count}
        else:
            guard["stock"] = {"$lte": MAX_STOCK - count}
            change["$inc"]["stock"] = count
        change.setdefault("$set", {})["updatedAt"] = clock.now()
        counted = await self._products.update_one(guard, change)
        if counted.matched_count == 0:  # made digital meanwhile: count in as a key product
            current = await self._catalog.get(product.id)
            if current.digital is None or current.digital.kind is not GoodsKind.KEYS:
                await self._undo(batch)
                raise DigitalByVariant() if current.options else OtherGoods("a file")
            await self._count_in(current, batch, count)

    async def _settle(self, product_id: ObjectId, batch: str) -> None:
        """Steps 3 and 4: the batch's keys are free (put-back ones without their old
        order), and the product forgets the batch."""
        await self._keys.update_many(
            {"batch": batch, "state": KeyState.ADDING.value},
            {
                "$set": {"state": KeyState.FREE.value},
                "$unset": {
                    "batch": "",
                    "leaseUntil": "",
                    "slot": "",
                    "orderId": "",
                    "userId": "",
                    "takenAt": "",
                    "returnedAt": "",
                },
            },
        )
        await self._products.update_one({"_id": product_id}, {"$pull": {BATCHES: {"id": batch}}})
        await self._restocked(product_id)  # back in stock for those waiting, if it was out

    async def _undo(self, batch: str) -> None:
        """Roll a batch back: put-back keys are returned again, new ones are gone."""
        await self._keys.update_many(
            {"batch": batch, "state": KeyState.ADDING.value, "returnedAt": {"$exists": True}},
            {"$set": {"state": KeyState.RETURNED.value}, "$unset": {"batch": "", "leaseUntil": ""}},
        )
        await self._keys.delete_many({"batch": batch, "state": KeyState.ADDING.value})


async def _insert_counting(collection: Any, documents: list[dict[str, Any]]) -> int:
    """Insert ``documents``, skipping those a unique index refuses; how many went in."""
    try:
        result = await collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
            raise
        # Counted from the errors: the embedded engine's nInserted counts the refused too.
        return len(documents) - len(error.details["writeErrors"])
    return len(result.inserted_ids)
