"""Promo codes: staff set them up and read their figures; customers' carts and checkout
ask what a code takes off (``pricing.py`` has the rules, ``uses.py`` the uses)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from core.accounts.access import Actor
from core.accounts.models import STAFF
from core.base import clock
from core.base.errors import Missing, NotFound, VersionConflict
from core.base.ids import parse_id
from core.base.models import Page
from core.promotions.commands import PromoDraft, PromoPatch, PromoQuery, check_terms
from core.promotions.errors import (
    PromoArchived,
    PromoCodeTaken,
    PromoProblem,
    PromoRefused,
    PromoTermsRefused,
)
from core.promotions.models import (
    PromoCode,
    PromoFigures,
    PromoQuote,
    PromoSnapshot,
    PromoState,
)
from core.promotions.pricing import Customer, Line, code_problem, customer_problem, discount
from core.promotions.uses import customer_key
from core.store import Store, update_and_fetch

NEWEST_FIRST = [("createdAt", -1), ("_id", -1)]
CANCELLED = "cancelled"
CLEARABLE = ("min_total", "starts_at", "ends_at", "usage_limit", "per_customer")
"""Terms a patch may set to null (no minimum, no start, ...)."""


class Promotions:
    def __init__(self, store: Store, currency: str) -> None:
        self._codes = store.promo_codes
        self._customers = store.promo_customers
        self._orders = store.orders
        self._products = store.products
        self._categories = store.categories
        self._currency = currency

    # -- staff -----------------------------------------------------------------------------

    async def create(self, actor: Actor, draft: PromoDraft) -> PromoCode:
        actor.require(*STAFF)
        if problem := check_terms(draft.kind, draft.value, draft.starts_at, draft.ends_at):
            raise PromoTermsRefused(problem)
        await self._check_targets(draft.product_ids, draft.category_ids)
        now = clock.now()
        document = {
            "_id": ObjectId(),
            **draft.model_dump(by_alias=True),
            "state": PromoState.ACTIVE.value,
            "currency": self._currency,
            "used": 0,
            "version": 0,
            "createdAt": now,
            "updatedAt": now,
        }
        document["kind"] = draft.kind.value
        try:
            await self._codes.insert_one(document)
        except DuplicateKeyError:
            raise PromoCodeTaken(draft.code) from None
        return PromoCode.model_validate(document)

    async def update(self, actor: Actor, promo_id: object, patch: PromoPatch) -> PromoCode:
        """Change terms or state (``paused``, ``active``, ``archived``); a term given as
        null is cleared where it can be (no minimum, no end, ...); an archived code stays
        as it is."""
        actor.require(*STAFF)
        promo = await self._get(promo_id)
        if patch.expected_version is not None and patch.expected_version != promo.version:
            raise VersionConflict("promo code")
        if promo.state is PromoState.ARCHIVED:
            raise PromoArchived()
        applied = {
            name: getattr(patch, name)
            for name in patch.model_fields_set - {"expected_version"}
            if getattr(patch, name) is not None or name in CLEARABLE
        }
        merged = promo.model_copy(update=applied)
        if problem := check_terms(merged.kind, merged.value, merged.starts_at, merged.ends_at):
            raise PromoTermsRefused(problem)
        await self._check_targets(patch.product_ids or (), patch.category_ids or ())
        changes: dict[str, Any] = {
            PromoPatch.model_fields[name].alias or name: value.value
            if isinstance(value, StrEnum)
            else value
            for name, value in applied.items()
        }
        changes["updatedAt"] = clock.now()
        guard: dict[str, Any] = {"_id": promo.id, "version": promo.version}
        if (limit := merged.usage_limit) is not None and "usage_limit" in applied:
            _check_limit(promo.used, limit)
            guard["used"] = {"$lte": limit}  # not below the uses taken meanwhile either
        document = await update_and_fetch(
            self._codes, guard, {"$set": changes, "$inc": {"version": 1}}
        )
        if document is None:
            if limit is not None and "usage_limit" in applied:
                _check_limit((await self._get(promo.id)).used, limit)
            raise VersionConflict("promo code")
        return PromoCode.model_validate(document)

    async def _check_targets(
        self, product_ids: Sequence[ObjectId], category_ids: Sequence[ObjectId]
    ) -> None:
        """Refuse ids that name no product or category (a typo, a variant's id): the code
        would silently apply to nothing they meant."""
        for ids, found, kind in (
            (product_ids, self._products, "product"),
            (category_ids, self._categories, "category"),
        ):
            known = {d["_id"] async for d in found.find({"_id": {"$in": list(ids)}}, {"_id": 1})}
            if missing := [str(i) for i in ids if i not in known]:
                raise PromoTermsRefused(f"there is no {kind} {', '.join(missing)}")

    async def get(self, actor: Actor, promo_id: object) -> PromoFigures:
        actor.require(*STAFF)
        promo = await self._get(promo_id)
        return (await self._with_figures([promo]))[0]

    async def search(self, actor: Actor, query: PromoQuery) -> Page[PromoFigures]:
        """Codes newest first, each with its figures; archived ones only when asked."""
        actor.require(*STAFF)
        filters: dict[str, Any] = {}
        if not query.include_archived:
            filters["state"] = {"$ne": PromoState.ARCHIVED.value}
        total = await self._codes.count_documents(filters)
        cursor = self._codes.find(filters).sort(NEWEST_FIRST)
        found = await cursor.skip((query.page - 1) * query.limit).limit(query.limit).to_list()
        promos = [PromoCode.model_validate(document) for document in found]
        items = tuple(await self._with_figures(promos))
        return Page[PromoFigures](items=items, total=total, page=query.page, limit=query.limit)

    async def _with_figures(self, promos: Sequence[PromoCode]) -> list[PromoFigures]:
        """Orders, discount and revenue of each code's placed orders that stand."""
        pipeline: list[dict[str, Any]] = [
            {
                "$match": {
                    "promo.codeId": {"$in": [promo.id for promo in promos]},
                    "placed": True,
                    "status": {"$ne": CANCELLED},
                }
            },
            {
                "$group": {
                    "_id": "$promo.codeId",
                    "orders": {"$sum": 1},
                    "discount": {"$sum": "$promo.discount"},
                    "revenue": {"$sum": "$totalAmount"},
                }
            },
        ]
        rows = {row["_id"]: row async for row in await self._orders.aggregate(pipeline)}
        empty = {"orders": 0, "discount": 0, "revenue": 0}
        return [
            PromoFigures(
                promo=promo,
                orders=(row := rows.get(promo.id, empty))["orders"],
                discount_given=row["discount"],
                revenue=row["revenue"],
                currency=self._currency,
            )
            for promo in promos
        ]

    async def _get(self, promo_id: object) -> PromoCode:
        document = await self._codes.find_one({"_id": parse_id(promo_id)})
        if document is None:
            raise NotFound(Missing.PROMO)
        return PromoCode.model_validate(document)

    # -- customers -------------------------------------------------------------------------

    async def find(self, code: str) -> PromoCode | None:
        """The code a customer typed (already upper case), if it exists."""
        document = await self._codes.find_one({"code": code})
        return None if document is None else PromoCode.model_validate(document)

    async def check_entry(self, user_id: ObjectId, code: str) -> PromoCode:
        """The code a customer is adding to the cart, or why it cannot be used at all now
        (what the cart holds is judged at the cart and at checkout)."""
        promo = await self.find(code)
        if problem := code_problem(promo, clock.now()):
            raise PromoRefused(problem)
        assert promo is not None
        if problem := customer_problem(promo, await self._customer(user_id, promo)):
            raise PromoRefused(problem)
        return promo

    async def quote(
        self, user_id: ObjectId, code: str, lines: Sequence[Line], fee: int = 0
    ) -> PromoQuote:
        """What ``code`` would take off these lines now, or why it would not."""
        off, promo = await self._judge(user_id, code, lines, fee)
        if isinstance(off, PromoProblem):
            return PromoQuote(code=code, discount=0, problem=off.value, message=off.message)
        return PromoQuote(code=code, discount=off, code_id=None if promo is None else promo.id)

    async def for_order(
        self, user_id: ObjectId, code: str, lines: Sequence[Line], fee: int
    ) -> tuple[PromoSnapshot, PromoCode]:
        """The snapshot an order keeps and the code as read (for ``PromoUses.take``), or
        ``PromoRefused`` with why the code cannot be used."""
        off, promo = await self._judge(user_id, code, lines, fee)
        if isinstance(off, PromoProblem):
            raise PromoRefused(off)
        assert promo is not None
        snapshot = PromoSnapshot(
            code_id=promo.id, code=promo.code, kind=promo.kind, value=promo.value, discount=off
        )
        return snapshot, promo

    async def _judge(
        self, user_id: ObjectId, code: str, lines: Sequence[Line], fee: int
    ) -> tuple[int | PromoProblem, PromoCode | None]:
        promo = await self.find(code)
        if problem := code_problem(promo, clock.now()):
            return problem, promo
        assert promo is not None
        if problem := customer_problem(promo, await self._customer(user_id, promo)):
            return problem, promo
        if not promo.category_ids:
            return discount(promo, lines, fee), promo
        if all(line.category_id is None for line in lines):
            lines = await self._categorised(lines)  # checkout's lines do not say
        covered = promo.model_copy(update={"category_ids": await self._subtree(promo)})
        return discount(covered, lines, fee), promo

    async def _subtree(self, promo: PromoCode) -> tuple[ObjectId, ...]:
        """The code's categories and their subcategories (as they are now): a code for
        a category covers the products of its subcategories too."""
        parents = {"parentId": {"$in": list(promo.category_ids)}}
        children = [doc["_id"] async for doc in self._categories.find(parents, {"_id": 1})]
        return (*promo.category_ids, *children)

    async def _categorised(self, lines: Sequence[Line]) -> list[Line]:
        """``lines`` with each product's category as stored now."""
        ids = [line.product_id for line in lines]
        found = self._products.find({"_id": {"$in": ids}}, {"categoryId": 1})
        categories = {d["_id"]: d.get("categoryId") async for d in found}
        return [Line(ln.product_id, categories.get(ln.product_id), ln.line_total) for ln in lines]

    async def _customer(self, user_id: ObjectId, promo: PromoCode) -> Customer:
        uses = orders = 0
        if promo.per_customer is not None:
            tally = await self._customers.find_one({"_id": customer_key(promo.id, user_id)})
            uses = 0 if tally is None else int(tally["used"])
        if promo.first_order_only:
            orders = await self._orders.count_documents(
                {"userId": user_id, "placed": True, "status": {"$ne": CANCELLED}}
            )
        return Customer(uses=uses, orders=orders)


def _check_limit(used: int, limit: int) -> None:
    """A code's limit is never below the uses its orders hold: a code is never shown, nor
    counted, as used more often than it may be (pause or archive it to stop it)."""
    if used > limit:
        raise PromoTermsRefused(f"{used} uses are held already, more than a limit of {limit}")
