"""The MongoDB collections and their indexes. Only core/ names a collection.

``find_one_and_update`` is only ever asked for the document as it was *before* the update:
the embedded engine (mongo-java-server) returns the post-image by reference and encodes
it after releasing its lock, so under concurrent writers it can show a later state. The
pre-image is a copy taken under the lock, on every engine. ``update_and_fetch`` covers the
cases that want the new state. Plain reads get no such copy: they can see a concurrent
update half applied (new lines, old version), so a guarded write compares every field it
relied on, and checkout's claim on a cart uses the claim's pre-image as the cart it orders.

Product photos are in GridFS (PyMongo's ``AsyncGridFSBucket``, bucket ``photos``). On the
embedded engine, uploads, downloads, deletes and GridFS's own indexes (a unique one on
``photos.chunks``' ``files_id`` and ``n``) behave as on MongoDB; checked by
``tests/core/test_media.py``. What differs is where the bytes live: the memory backend keeps
every chunk in the engine's heap and the file backend in its H2 file, so photos count
against the engine's memory or disk (``PHOTO_MAX_BYTES`` bounds each one). GridFS writes a
file as several documents, so core/catalog/photos.py journals an upload on the file's metadata.

The embedded engine does not apply the positional operator (``$``) to an array inside a
subdocument (``payment.extraCharges.$.state``: "The positional operator did not find the
match needed from the query"), so such an element is updated by its index, guarded by its
fields (``core/sales/payments.py``).

The embedded engine ignores an index's ``partialFilterExpression``: it builds the index over
every document, so a unique partial index would refuse a second document without the
field. A unique field that is optional is therefore a ``sparse`` unique index, and a
document without a value leaves the field out rather than storing ``null`` (which a sparse
index does index): ``products.sku``, ``users.telegramId``.

The embedded engine's ``insert_many(ordered=False)`` reports in ``nInserted`` the documents
a unique index refused as well as those it inserted; count the inserted ones as the
documents sent less the write errors (``core/digital/pool.py``).

On the embedded engine a ``$in`` takes time in proportion to its values times the
documents it matches: 10,000 SKUs among 10,000 products took 10 s in one query and about
1 s in queries of 500 (or of 100: no faster). ``Catalog.with_skus`` asks 500 at a time.

An aggregate on the embedded engine scans every document of the collection it runs on
(a first ``$match`` uses no index), and the engine has neither ``$documents`` nor
``$unionWith``. A read that joins single documents of several collections therefore
starts from ``lookups``, a collection of exactly one document, and each ``$lookup``
(``localField``/``foreignField`` on an indexed field) goes by an index
(``core/sales/visits.py``).

The embedded engine creates a database the moment anything reads it (``listIndexes`` on a
database nobody wrote makes it appear in ``listDatabases``), where MongoDB creates one only
on a first write; and it has no users: any credentials in the URI are refused ("no such
command: 'saslStart'"). ``missing_indexes`` only reads, on both.

The embedded engine builds unique indexes only: it accepts a secondary (non-unique) index
and ignores it, so every query that no unique index serves by equality (or ``$in``) scans
the collection; ranges, sorts and ``$or`` never use an index there. The reports' indexes
(``core/reports/``, marked below) therefore serve MongoDB only, where the dashboard's first
``$match`` and the exports' sorted cursors use them; ``bench/reports.py`` measures both.
Its aggregation has what the reports use (``$facet``, ``$bucket`` on dates, ``$unwind``,
``$filter``), checked by ``tests/core/test_reports.py``; it is slow at it, though: a few
hundred ms for every 10,000 orders of the last 30 days (``bench/reports.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta
from enum import StrEnum
from typing import Any

from gridfs import AsyncGridFSBucket
from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, ConnectionFailure
from pymongo.monitoring import CommandListener

from core.base.models import ItemT, Page

DUPLICATE_KEY = 11000

Collection = AsyncCollection[dict[str, Any]]
PHOTOS = "photos"
"""The GridFS bucket of product photos (collections ``photos.files`` and ``photos.chunks``)."""
GOODS = "goods"
"""The GridFS bucket of digital products' files."""
LOOKUP_ANCHOR = "anchor"
"""The ``_id`` of the one document of ``lookups``."""


class WriteConcernChoice(StrEnum):
    """How durable a write must be before the database acknowledges it (``MONGODB_WRITE_CONCERN``).

    Every write the shop acknowledges to a customer or staff member goes through the one
    client, so the choice covers all of them:

    - ``journaled`` (``w: 1, j: true``): on disk in the primary's journal; survives a crash
      of that server. The default, and right for a single server.
    - ``majority`` (``w: "majority", j: true``): in the journals of most replica-set members;
      survives losing the primary too. Use it on a replica set.
    - ``acknowledged`` (``w: 1``): in the primary's memory only; faster, and loses up to the
      journal's commit interval (100 ms) of acknowledged writes when the server crashes.
    """

    JOURNALED = "journaled"
    MAJORITY = "majority"
    ACKNOWLEDGED = "acknowledged"

    def client_options(self) -> dict[str, Any]:
        """The choice as ``AsyncMongoClient`` options (its default write concern)."""
        if self is WriteConcernChoice.MAJORITY:
            return {"w": "majority", "journal": True}
        return {"w": 1, "journal": self is WriteConcernChoice.JOURNALED}


@dataclass(frozen=True)
class Durability:
    """How durable the database makes the writes the shop acknowledges (``durability``)."""

    summary: str
    """The write concern in use and the kind of deployment, in words."""
    advice: str | None = None
    """What to change when acknowledged writes could be lost, else ``None``."""


async def durability(
    client: AsyncMongoClient[dict[str, Any]], choice: WriteConcernChoice
) -> Durability:
    """Ping the database and judge ``choice`` on it (``judge_durability``)."""
    await client.admin.command("ping")
    replica_set = client.topology_description.topology_type_name.startswith("ReplicaSet")
    return judge_durability(choice, replica_set=replica_set)


def judge_durability(choice: WriteConcernChoice, *, replica_set: bool) -> Durability:
    """``acknowledged`` may lose the last 100 ms of writes in a crash; a replica set wants
    ``majority``, or a write the primary alone acknowledged is lost with it. (A ``w`` in
    ``MONGODB_URI`` never counts: ``connect`` sets the write concern from ``choice``.)"""
    options = choice.client_options()
    shown = f"w: {options['w']}, j: {str(options['journal']).lower()}"
    where = "a replica set" if replica_set else "a single server"
    summary = f"write concern {shown} ({choice.value}) on {where}"
    if choice is WriteConcernChoice.ACKNOWLEDGED:
        return Durability(
            summary,
            "a crash may lose the last 100 ms of acknowledged writes: set "
            "MONGODB_WRITE_CONCERN=" + ("majority" if replica_set else "journaled"),
        )
    if replica_set and choice is not WriteConcernChoice.MAJORITY:
        return Durability(
            summary,
            "writes acknowledged by the primary alone are lost when it fails: set "
            "MONGODB_WRITE_CONCERN=majority",
        )
    return Durability(summary)


UNREACHABLE = (ConnectionFailure,)
"""What PyMongo raises when the database cannot be reached (server selection timed out, a
connection dropped): the shop is temporarily unavailable, not broken."""


def connect(
    uri: str,
    write_concern: WriteConcernChoice = WriteConcernChoice.JOURNALED,
    timeout: timedelta = timedelta(seconds=10),
    listeners: Sequence[CommandListener] = (),
) -> AsyncMongoClient[dict[str, Any]]:
    """The shop's client; ``listeners`` see every command (the round-trip counts of
    ``bench/round_trips.py``)."""
    milliseconds = int(timeout.total_seconds() * 1000)
    return AsyncMongoClient(
        uri,
        tz_aware=True,
        tzinfo=UTC,
        serverSelectionTimeoutMS=milliseconds,
        connectTimeoutMS=milliseconds,
        event_listeners=listeners,
        **write_concern.client_options(),
    )


@dataclass(frozen=True)
class Store:
    users: Collection
    products: Collection
    carts: Collection
    orders: Collection
    counters: Collection
    notifications: Collection
    refunds: Collection
    broadcasts: Collection
    pacing: Collection
    throttles: Collection
    leases: Collection
    staff: Collection
    categories: Collection
    conversions: Collection
    photo_files: Collection
    photos: AsyncGridFSBucket
    lookups: Collection
    """One document, where joins start (see the module's docstring)."""
    revoked_sessions: Collection
    """Back-office sessions signed out (core/accounts/staff_sessions.py)."""
    goods_keys: Collection
    """Digital products' pools of unique keys (core/digital/pool.py)."""
    goods_files: Collection
    goods: AsyncGridFSBucket
    """Digital products' files (core/digital/files.py)."""
    restock_subscriptions: Collection
    """Who waits for which sold-out product (core/catalog/restock_alerts.py)."""
    variants: Collection
    """Products' variants, one document each (core/catalog/variants/)."""
    promo_codes: Collection
    """Promo codes and their uses in all (core/promotions/)."""
    promo_customers: Collection
    """Each customer's uses of each promo code (core/promotions/uses.py)."""

    @classmethod
    def of(cls, db: AsyncDatabase[dict[str, Any]]) -> Store:
        return cls(
            db.users,
            db.products,
            db.carts,
            db.orders,
            db.counters,
            db.notifications,
            db.refunds,
            db.broadcasts,
            db.pacing,
            db.throttles,
            db.leases,
            db.staff,
            db.categories,
            db.conversions,
            db[f"{PHOTOS}.files"],
            AsyncGridFSBucket(db, bucket_name=PHOTOS),
            db.lookups,
            db.revoked_sessions,
            db.goods_keys,
            db[f"{GOODS}.files"],
            AsyncGridFSBucket(db, bucket_name=GOODS),
            db.restock_subscriptions,
            db.variants,
            db.promo_codes,
            db.promo_customers,
        )

    async def ensure_lookup_anchor(self) -> None:
        """Write the one document of ``lookups`` unless it is there."""
        await self.lookups.update_one(
            {"_id": LOOKUP_ANCHOR}, {"$setOnInsert": {"for": "joins start here"}}, upsert=True
        )

    async def ensure_indexes(self) -> None:
        """Create every index, and the one document of ``lookups``; safe to run at each
        start."""
        await self.ensure_lookup_anchor()
        for collection, models in self.indexes():
            await collection.create_indexes(models)

    async def missing_indexes(self) -> list[str]:
        """The declared indexes the database lacks (or has with other options), as
        ``collection: name (unique)``; reads only."""
        missing = []
        for collection, models in self.indexes():
            present = {_index_shape(info) async for info in await collection.list_indexes()}
            for model in models:
                shape = _index_shape(model.document)
                if shape not in present:
                    options = [
                        o for o, on in zip(("unique", "sparse"), shape[1:], strict=True) if on
                    ]
                    shown = f" ({', '.join(options)})" if options else ""
                    missing.append(f"{collection.name}: {model.document['name']}{shown}")
        return missing

    def indexes(self) -> list[tuple[Collection, list[IndexModel]]]:
        """Every index the shop declares, by collection (``ensure_indexes`` creates them,
        ``missing_indexes`` looks for them)."""
        return [
            (
                self.users,
                [
                    IndexModel("email", unique=True),
                    IndexModel("telegramId", unique=True, sparse=True),
                    IndexModel([("createdAt", DESCENDING)]),
                    # For the guarded writes of an account change's journal (see orders').
                    IndexModel([("_id", ASCENDING), ("journal.owner", ASCENDING)], unique=True),
                    IndexModel("journal.leaseUntil", sparse=True),
                ],
            ),
            (
                self.products,
                [
                    IndexModel([("active", ASCENDING), ("createdAt", DESCENDING)]),
                    IndexModel([("active", ASCENDING), ("price", ASCENDING)]),
                    IndexModel([("active", ASCENDING), ("name", ASCENDING)]),
                    IndexModel([("categoryId", ASCENDING), ("active", ASCENDING)]),
                    # Sparse, not partial: the embedded engine ignores partialFilterExpression
                    # (see the module's docstring); products without a SKU have no ``sku`` field.
                    IndexModel("sku", unique=True, sparse=True),
                    IndexModel("restockFanOut.leaseUntil", sparse=True),  # restock alerts
                ],
            ),
            (
                self.photo_files,
                [
                    IndexModel([("metadata.productId", ASCENDING), ("metadata.state", ASCENDING)]),
                    IndexModel("metadata.leaseUntil", sparse=True),
                ],
            ),
            (
                self.categories,
                [IndexModel([("position", ASCENDING)]), IndexModel("syncUntil", sparse=True)],
            ),
            (
                self.carts,
                [
                    IndexModel("userId", unique=True),
                    # For checkout's claim, ``{userId, checkout: null}``: exactly these fields, so
                    # the embedded engine uses it (unique because userId already is).
                    IndexModel([("userId", ASCENDING), ("checkout", ASCENDING)], unique=True),
                    IndexModel("checkout.leaseUntil", sparse=True),
                    # The reminders' scan of carts left untouched (core/sales/cart_reminders.py).
                    IndexModel("updatedAt"),
                ],
            ),
            (
                self.orders,
                [
                    IndexModel([("userId", ASCENDING), ("idempotencyKey", ASCENDING)], unique=True),
                    IndexModel(
                        [("userId", ASCENDING), ("placed", ASCENDING), ("createdAt", DESCENDING)]
                    ),
                    IndexModel(
                        [("placed", ASCENDING), ("status", ASCENDING), ("createdAt", DESCENDING)]
                    ),
                    IndexModel("number", unique=True),
                    # For the journal's guarded writes, ``{_id, journal.owner}``: the embedded
                    # engine uses an index only for a filter on exactly that index's fields, and
                    # scans every order otherwise (MongoDB would use the _id index either way).
                    IndexModel([("_id", ASCENDING), ("journal.owner", ASCENDING)], unique=True),
                    IndexModel("journal.leaseUntil", sparse=True),
                    IndexModel("outbox.at", sparse=True),
                    # A charge pays one order: a payment replayed for another order is refused.
                    IndexModel("payment.telegramPaymentChargeId", unique=True, sparse=True),
                    # Reports: the dashboard's 30 days and the export's oldest-first cursor, ...
                    IndexModel([("placed", ASCENDING), ("createdAt", ASCENDING)]),
                    # ... and the refunds due, one index for each side of their ``$or``
                    # (this one also serves core/sales/figures.py: payments by method).
                    IndexModel([("payment.state", ASCENDING), ("payment.method", ASCENDING)]),
                    IndexModel("payment.extraCharges.state", sparse=True),
                    # A promo code's orders, for its figures (core/promotions/codes.py).
                    IndexModel("promo.codeId", sparse=True),
                ],
            ),
            (
                self.notifications,
                [
                    IndexModel([("state", ASCENDING), ("dueAt", ASCENDING)]),
                    IndexModel([("broadcastId", ASCENDING), ("state", ASCENDING)], sparse=True),
                ],
            ),
            (self.refunds, [IndexModel([("state", ASCENDING), ("dueAt", ASCENDING)])]),
            (
                self.broadcasts,
                [IndexModel([("createdAt", DESCENDING)]), IndexModel("reportTo.done", sparse=True)],
            ),
            (self.throttles, [IndexModel("endsAt")]),
            (self.leases, [IndexModel("until")]),
            (self.revoked_sessions, [IndexModel("until")]),
            (
                self.goods_keys,
                [
                    # One key once per product (by its keyed hash: core/digital/sealing.py).
                    IndexModel([("productId", ASCENDING), ("fingerprint", ASCENDING)], unique=True),
                    # One key per unit of an order line, however often delivery runs.
                    IndexModel("slot", unique=True, sparse=True),
                    IndexModel([("productId", ASCENDING), ("state", ASCENDING)]),
                    IndexModel("orderId", sparse=True),
                    IndexModel("leaseUntil", sparse=True),
                ],
            ),
            (
                self.goods_files,
                [
                    IndexModel([("metadata.productId", ASCENDING), ("metadata.state", ASCENDING)]),
                    IndexModel("metadata.leaseUntil", sparse=True),
                ],
            ),
            (
                self.restock_subscriptions,
                [
                    IndexModel([("productId", ASCENDING), ("userId", ASCENDING)], unique=True),
                    IndexModel([("productId", ASCENDING), ("generation", ASCENDING)]),
                ],
            ),
            (
                self.variants,
                [
                    IndexModel([("productId", ASCENDING), ("active", ASCENDING)]),
                    # One variant per combination of a product's values (``combination``).
                    IndexModel([("productId", ASCENDING), ("combination", ASCENDING)], unique=True),
                    # Sparse like products' (unique across both: core/catalog/variants/).
                    IndexModel("sku", unique=True, sparse=True),
                ],
            ),
            # Promo codes: a typed code names one; staff list them newest first.
            (self.promo_codes, [IndexModel("code", unique=True), IndexModel("createdAt")]),
        ]

    async def next_number(self, sequence: str) -> int:
        """The next value of a named counter (atomic, gap-tolerant)."""
        before = await self.counters.find_one_and_update(
            {"_id": sequence}, {"$inc": {"value": 1}}, upsert=True
        )
        return 1 if before is None else int(before["value"]) + 1


def _index_shape(index: Mapping[str, Any]) -> tuple[tuple[tuple[str, int], ...], bool, bool]:
    """What makes two indexes the same for the shop: their keys in order, unique, sparse."""
    keys = tuple((str(field), int(order)) for field, order in index["key"].items())
    return keys, bool(index.get("unique")), bool(index.get("sparse"))


async def find_page(
    collection: Collection,
    query: dict[str, Any],
    sort: list[tuple[str, int]],
    model: type[ItemT],
    page: int,
    limit: int,
) -> Page[ItemT]:
    """One page of ``query``'s matches as ``model`` instances, with the total count, in one
    round trip (a ``$facet`` after the match and sort, which an index can serve)."""
    pipeline: list[dict[str, Any]] = [
        {"$match": query},
        {"$sort": dict(sort)},
        {
            "$facet": {
                "total": [{"$count": "n"}],
                "items": [{"$skip": (page - 1) * limit}, {"$limit": limit}],
            }
        },
    ]
    [result] = await (await collection.aggregate(pipeline)).to_list()
    total = result["total"][0]["n"] if result["total"] else 0
    items = tuple(model.model_validate(document) for document in result["items"])
    return Page[model](items=items, total=total, page=page, limit=limit)  # type: ignore[valid-type]


async def insert_new(collection: Collection, documents: list[dict[str, Any]]) -> None:
    """Insert ``documents``; those whose ``_id`` exists already are left as they are."""
    if not documents:
        return
    try:
        await collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
            raise


async def update_and_fetch(
    collection: Collection, query: dict[str, Any], update: dict[str, Any]
) -> dict[str, Any] | None:
    """Apply ``update`` to the document matching ``query``, then read it back (or ``None``)."""
    before = await collection.find_one_and_update(query, update, projection={"_id": 1})
    if before is None:
        return None
    return await collection.find_one({"_id": before["_id"]})
