"""Categories: shelves that group products, in the order staff give them.

Archiving a category hides it and its products from customers; orders keep their own
snapshot and are not touched. Customers' reads never join two collections: every product
carries ``categoryHidden``, a copy of "its category is archived", kept in step by two
writers that each write first and read after, so that one of them always sees the other:

1. A category's ``active`` changes in one write that also sets ``syncUntil`` (a lease).
   Then ``sync`` copies the state to its products (one ``update_many``) and clears
   ``syncUntil`` guarded by the version it copied; when the category changed meanwhile it
   reads it again and copies once more.
2. A product that moves into a category is written with the category's state as read
   before, and then ``settle`` reads the category again and corrects the product (guarded
   by its ``categoryId``) until the two agree.

A crash between the category's write and the copy leaves ``syncUntil`` set; ``recover``
copies again once the lease has expired.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from core.accounts.access import Actor
from core.accounts.models import Role
from core.base import clock
from core.base.errors import Missing, NotFound
from core.base.ids import parse_id
from core.catalog.commands import (
    MAX_CATEGORIES,
    CategoryDraft,
    CategoryOrder,
    CategoryPatch,
    CategoryQuery,
)
from core.catalog.errors import CategoriesChanged, TooManyCategories
from core.catalog.models import Category, Shelf, Shelves
from core.store import Store, update_and_fetch

ON_SALE: dict[str, Any] = {"active": True, "categoryHidden": {"$ne": True}}
"""The products customers may see and buy."""


class Categories:
    def __init__(self, store: Store, lease: timedelta) -> None:
        self._categories = store.categories
        self._products = store.products
        self._lease = lease

    async def create(self, actor: Actor, draft: CategoryDraft) -> Category:
        actor.require(Role.ADMIN)
        if await self._categories.count_documents({}) >= MAX_CATEGORIES:
            raise TooManyCategories()
        position = draft.position
        if position is None:
            last = await self._categories.find_one({}, {"position": 1}, sort=[("position", -1)])
            position = 0 if last is None else min(last["position"] + 1, MAX_CATEGORIES * 10)
        now = clock.now()
        document = {
            "_id": ObjectId(),
            "name": draft.name,
            "description": draft.description,
            "position": position,
            "active": True,
            "version": 0,
            "createdAt": now,
            "updatedAt": now,
        }
        await self._categories.insert_one(document)
        return Category.model_validate(document)

    async def update(self, actor: Actor, category_id: object, patch: CategoryPatch) -> Category:
        """Rename, describe, move, archive or restore; products follow an archive."""
        actor.require(Role.ADMIN)
        oid = parse_id(category_id)
        now = clock.now()
        changes: dict[str, Any] = {**patch.model_dump(exclude_none=True), "updatedAt": now}
        if patch.active is not None:
            changes["syncUntil"] = now + self._lease
        document = await update_and_fetch(
            self._categories, {"_id": oid}, {"$set": changes, "$inc": {"version": 1}}
        )
        if document is None:
            raise NotFound(Missing.CATEGORY)
        if patch.active is not None:
            document = await self._sync(oid)
        return Category.model_validate(document)

    async def archive(self, actor: Actor, category_id: object) -> Category:
        """Hide the category and its products from customers; orders are not touched."""
        return await self.update(actor, category_id, CategoryPatch(active=False))

    async def reorder(self, actor: Actor, order: CategoryOrder) -> Shelves:
        """Number the categories in the order given, which must name every one of them."""
        actor.require(Role.ADMIN)
        known = {doc["_id"] for doc in await self._categories.find({}, {"_id": 1}).to_list()}
        if set(order.ids) != known:
            raise CategoriesChanged()
        now = clock.now()
        for position, oid in enumerate(order.ids):
            await self._categories.update_one(
                {"_id": oid, "position": {"$ne": position}},
                {"$set": {"position": position, "updatedAt": now}, "$inc": {"version": 1}},
            )
        return await self.shelves(CategoryQuery(include_inactive=True), viewer=actor)

    async def get(self, category_id: object, *, viewer: Actor | None = None) -> Category:
        """A category; an archived one only for staff."""
        document = await self._categories.find_one({"_id": parse_id(category_id)})
        if document is None or not (document["active"] or _sees_archived(viewer)):
            raise NotFound(Missing.CATEGORY)
        return Category.model_validate(document)

    async def all(self, *, include_inactive: bool = False) -> tuple[Category, ...]:
        query = {} if include_inactive else {"active": True}
        cursor = self._categories.find(query).sort([("position", 1), ("_id", 1)])
        return tuple(Category.model_validate(doc) for doc in await cursor.to_list())

    async def shelves(self, query: CategoryQuery, *, viewer: Actor | None = None) -> Shelves:
        """The categories in order with their products on sale (archived ones for staff
        who ask), and how many products on sale have no category."""
        categories = await self.all(
            include_inactive=query.include_inactive and _sees_archived(viewer)
        )
        counts = {
            row["_id"]: row["count"]
            for row in await (
                await self._products.aggregate(
                    [{"$match": ON_SALE}, {"$group": {"_id": "$categoryId", "count": {"$sum": 1}}}]
                )
            ).to_list()
        }
        items = tuple(
            Shelf(**category.model_dump(), products=counts.get(category.id, 0))
            for category in categories
        )
        return Shelves(items=items, uncategorized=counts.get(None, 0))

    async def placement(self, category_id: ObjectId | None) -> dict[str, Any]:
        """The fields of a product in ``category_id`` (``None``: in no category)."""
        if category_id is None:
            return {"categoryId": None, "categoryHidden": False}
        document = await self._categories.find_one({"_id": category_id}, {"active": 1})
        if document is None:
            raise NotFound(Missing.CATEGORY)
        return {"categoryId": category_id, "categoryHidden": not document["active"]}

    async def settle(self, product_id: ObjectId, category_id: ObjectId) -> None:
        """After a product moved into ``category_id``: make its copy of the category's
        state agree with the category as it is now (step 2 of the module docstring)."""
        while True:
            document = await self._categories.find_one({"_id": category_id}, {"active": 1})
            hidden = document is not None and not document["active"]
            corrected = await self._products.update_one(
                {"_id": product_id, "categoryId": category_id, "categoryHidden": not hidden},
                {"$set": {"categoryHidden": hidden}},
            )
            if corrected.modified_count == 0:
                return

    async def recover(self, at: datetime | None = None) -> int:
        """Copy the state of categories whose copy was interrupted; how many."""
        cutoff = at or clock.now()
        stalled = await self._categories.find({"syncUntil": {"$lt": cutoff}}, {"_id": 1}).to_list()
        for document in stalled:
            await self._sync(document["_id"])
        return len(stalled)

    async def _sync(self, category_id: ObjectId) -> dict[str, Any]:
        """Step 1: copy the category's state to its products until it holds still."""
        while True:
            document = await self._categories.find_one({"_id": category_id})
            if document is None:
                raise NotFound(Missing.CATEGORY)
            hidden = not document["active"]
            await self._products.update_many(
                {"categoryId": category_id, "categoryHidden": {"$ne": hidden}},
                {"$set": {"categoryHidden": hidden}},
            )
            done = await self._categories.update_one(
                {"_id": category_id, "version": document["version"]},
                {"$unset": {"syncUntil": ""}},
            )
            if done.matched_count:
                return {key: value for key, value in document.items() if key != "syncUntil"}


def _sees_archived(viewer: Actor | None) -> bool:
    return viewer is not None and viewer.is_staff
