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

Subcategories (one level: a top-level category's ``parentId`` is null) are hidden when
they or their parent are archived. A product's copy therefore reads two categories: its
own and that one's parent. ``sync`` of a top-level category also copies to its
subcategories' products, and ``sync`` of a subcategory reads its parent; each then reads
the versions of the other categories it read once more after its copy, and copies again
if one of them changed, so that of two writers racing, the one that writes last wrote
what both see. A subcategory's parent is set when it is created and never changes: a
move would change which categories a parent's copy must cover while it runs.
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
    MAX_SUBCATEGORIES,
    TOP_LEVEL,
    CategoryDraft,
    CategoryOrder,
    CategoryPatch,
    CategoryQuery,
)
from core.catalog.errors import CategoriesChanged, TooManyCategories, UnfitParent
from core.catalog.models import Category, CategoryLevel, Shelf, Shelves
from core.catalog.tree import arranged
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
        if draft.parent_id is not None:
            await self._check_parent(draft.parent_id)
            await self._room_under(draft.parent_id)
        siblings = {"parentId": draft.parent_id}
        position = draft.position
        if position is None:
            last = await self._categories.find_one(
                siblings, {"position": 1}, sort=[("position", -1)]
            )
            position = 0 if last is None else min(last["position"] + 1, MAX_CATEGORIES * 10)
        now = clock.now()
        document = {
            "_id": ObjectId(),
            "name": draft.name,
            "description": draft.description,
            "position": position,
            "parentId": draft.parent_id,
            "active": True,
            "version": 0,
            "createdAt": now,
            "updatedAt": now,
        }
        await self._categories.insert_one(document)
        if draft.parent_id is not None:
            try:
                await self._room_under(draft.parent_id, made=1)
            except UnfitParent:  # others made at the same moment took the room
                await self._categories.delete_one({"_id": document["_id"]})
                raise
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
        """Number the siblings in the order given, which must name every one of them: the
        top-level categories, or the subcategories of ``order.parent_id``."""
        actor.require(Role.ADMIN)
        siblings = self._categories.find({"parentId": order.parent_id}, {"_id": 1})
        known = {doc["_id"] for doc in await siblings.to_list()}
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
        """A category; an archived one (or a subcategory of an archived one) only for
        staff."""
        document = await self._categories.find_one({"_id": parse_id(category_id)})
        if document is None or not (
            _sees_archived(viewer) or await self._hidden(document) is False
        ):
            raise NotFound(Missing.CATEGORY)
        return Category.model_validate(document)

    async def all(self, *, include_inactive: bool = False) -> tuple[Category, ...]:
        """Every category in tree order (``core/catalog/tree.py``); without
        ``include_inactive``, only those customers see."""
        cursor = self._categories.find({}).sort([("position", 1), ("_id", 1)])
        categories = [Category.model_validate(doc) for doc in await cursor.to_list()]
        return arranged(categories, include_inactive=include_inactive)

    async def with_subcategories(self, category_id: ObjectId) -> list[ObjectId]:
        """The category and its subcategories' ids (archived ones too)."""
        children = self._categories.find({"parentId": category_id}, {"_id": 1})
        return [category_id, *(doc["_id"] for doc in await children.to_list())]

    async def shelves(self, query: CategoryQuery, *, viewer: Actor | None = None) -> Shelves:
        """The categories in tree order with their products on sale, a parent's including
        its subcategories' (archived ones for staff who ask; only one parent's
        subcategories, or only the top-level ones, with ``query.parent``), and how many
        products on sale have no category."""
        categories = await self.all(
            include_inactive=query.include_inactive and _sees_archived(viewer)
        )
        counted: dict[str, Any] = dict(ON_SALE)
        if query.parent not in (None, TOP_LEVEL):
            parent = parse_id(query.parent, "parent")
            categories = tuple(c for c in categories if c.parent_id == parent)
            counted["categoryId"] = {"$in": [*(c.id for c in categories), None]}
        counts = await self._counts(counted)
        children: dict[ObjectId, list[Category]] = {}
        for category in categories:
            if category.parent_id is not None:
                children.setdefault(category.parent_id, []).append(category)
        if query.parent == TOP_LEVEL:
            categories = tuple(c for c in categories if c.parent_id is None)
        items = tuple(
            Shelf(
                **category.model_dump(),
                products=sum(
                    counts.get(c.id, 0) for c in [category, *children.get(category.id, ())]
                ),
                subcategories=len(children.get(category.id, ())),
            )
            for category in categories
        )
        return Shelves(items=items, uncategorized=counts.get(None, 0))

    async def opened(self, category_id: object) -> CategoryLevel:
        """A category customers see, as the bot opens it: with its parent (a subcategory)
        or its subcategories customers see and their products on sale (a parent). One read
        for a category with neither."""
        oid = parse_id(category_id)
        family = self._categories.find({"$or": [{"_id": oid}, {"parentId": oid}]})
        found = await family.sort([("position", 1), ("_id", 1)]).to_list()
        own = next((doc for doc in found if doc["_id"] == oid), None)
        if own is None or not own["active"]:
            raise NotFound(Missing.CATEGORY)
        category = Category.model_validate(own)
        if category.parent_id is not None:
            parent = await self._categories.find_one({"_id": category.parent_id})
            if parent is None or not parent["active"]:
                raise NotFound(Missing.CATEGORY)
            return CategoryLevel(category=category, parent=Category.model_validate(parent))
        children = [doc for doc in found if doc["_id"] != oid and doc["active"]]
        if not children:
            return CategoryLevel(category=category)
        counts = await self._counts(
            {**ON_SALE, "categoryId": {"$in": [c["_id"] for c in children]}}
        )
        shelves = tuple(
            Shelf(**Category.model_validate(c).model_dump(), products=counts.get(c["_id"], 0))
            for c in children
        )
        return CategoryLevel(category=category, subcategories=shelves)

    async def _counts(self, match: dict[str, Any]) -> dict[ObjectId | None, int]:
        """How many products ``match`` finds, by category id."""
        grouped = await self._products.aggregate(
            [{"$match": match}, {"$group": {"_id": "$categoryId", "count": {"$sum": 1}}}]
        )
        return {row["_id"]: row["count"] for row in await grouped.to_list()}

    async def placement(self, category_id: ObjectId | None) -> dict[str, Any]:
        """The fields of a product in ``category_id`` (``None``: in no category)."""
        if category_id is None:
            return {"categoryId": None, "categoryHidden": False}
        hidden = await self._hidden(await self._categories.find_one({"_id": category_id}))
        if hidden is None:
            raise NotFound(Missing.CATEGORY)
        return {"categoryId": category_id, "categoryHidden": hidden}

    async def settle(self, product_id: ObjectId, category_id: ObjectId) -> None:
        """After a product moved into ``category_id``: make its copy of the category's
        state agree with the category as it is now (step 2 of the module docstring)."""
        while True:
            document = await self._categories.find_one({"_id": category_id})
            hidden = await self._hidden(document) is True
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
        """Step 1: copy the category's state to its products (and a top-level category's
        to its subcategories' products) until it, and the categories read with it, hold
        still."""
        while True:
            document = await self._categories.find_one({"_id": category_id})
            if document is None:
                raise NotFound(Missing.CATEGORY)
            hidden = not document["active"]
            if document.get("parentId") is not None:
                others = await self._read({"_id": document["parentId"]})
                hidden = hidden or not all(other["active"] for other in others)
                copies = [(category_id, hidden)]
            else:
                others = await self._read({"parentId": category_id})
                copies = [(category_id, hidden)]
                copies += [(other["_id"], hidden or not other["active"]) for other in others]
            for copied, state in copies:
                await self._products.update_many(
                    {"categoryId": copied, "categoryHidden": {"$ne": state}},
                    {"$set": {"categoryHidden": state}},
                )
            ids = [other["_id"] for other in others]
            if ids and await self._read({"_id": {"$in": ids}}) != others:
                continue  # a category read with it changed while copying: copy again
            done = await self._categories.update_one(
                {"_id": category_id, "version": document["version"]},
                {"$unset": {"syncUntil": ""}},
            )
            if done.matched_count:
                return {key: value for key, value in document.items() if key != "syncUntil"}

    async def _read(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """The categories matching ``query``: their ids, states and versions, by id."""
        cursor = self._categories.find(query, {"active": 1, "version": 1}).sort("_id", 1)
        return await cursor.to_list()

    async def _hidden(self, document: dict[str, Any] | None) -> bool | None:
        """Whether customers do not see the category: it or its parent is archived
        (``None``: there is no such category)."""
        if document is None:
            return None
        if not document["active"]:
            return True
        if document.get("parentId") is None:
            return False
        parent = await self._categories.find_one({"_id": document["parentId"]}, {"active": 1})
        return parent is None or not parent["active"]

    async def _room_under(self, parent_id: ObjectId, made: int = 0) -> None:
        """Refuse a parent with ``MAX_SUBCATEGORIES`` subcategories besides the ``made``
        new ones."""
        if (
            await self._categories.count_documents({"parentId": parent_id})
            >= MAX_SUBCATEGORIES + made
        ):
            raise UnfitParent(f"it has {MAX_SUBCATEGORIES} subcategories, the most it may have")

    async def _check_parent(self, parent_id: ObjectId) -> None:
        """Refuse a parent that is missing, archived, or a subcategory itself."""
        parent = await self._categories.find_one({"_id": parent_id})
        if parent is None:
            raise NotFound(Missing.CATEGORY)
        if parent.get("parentId") is not None:
            raise UnfitParent("it is a subcategory itself")
        if not parent["active"]:
            raise UnfitParent("it is archived")


def _sees_archived(viewer: Actor | None) -> bool:
    return viewer is not None and viewer.is_staff
