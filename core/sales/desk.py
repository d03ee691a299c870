"""What staff see of an order and how they move it: the order with its customer, who made
each change, and the statuses it may take next.

Every call is checked against the acting user's role as it is now, so an old card pressed
by someone who is no longer staff changes nothing. A change made from a stale view (the
order moved since it was shown) is not applied: the caller gets the order as it is now.
"""

from __future__ import annotations

from core.accounts.access import Actor
from core.accounts.models import STAFF, User
from core.base.commands import parse
from core.base.errors import VersionConflict
from core.sales.commands import StatusUpdate
from core.sales.errors import IllegalTransition
from core.sales.models import (
    TRANSITIONS,
    Channel,
    Order,
    OrderStatus,
    ShopProcess,
    StaffChange,
    StaffOrderView,
    StatusMove,
)
from core.sales.orders import Orders
from core.store import Store


class StaffDesk:
    def __init__(self, store: Store, orders: Orders) -> None:
        self._users = store.users
        self._placed = store.orders
        self._orders = orders

    async def counts(self, actor: Actor) -> dict[OrderStatus, int]:
        """How many orders are in each status."""
        actor.require(*STAFF)
        return {
            status: await self._placed.count_documents({"placed": True, "status": status.value})
            for status in OrderStatus
        }

    async def view(self, actor: Actor, order_id: object) -> StaffOrderView:
        return await self._view_of(await self._orders.get(actor, order_id))

    async def move(
        self,
        actor: Actor,
        order_id: object,
        status: OrderStatus,
        seen_version: int,
        channel: Channel,
    ) -> StatusMove:
        """Change the status of the order shown at ``seen_version`` (from ``channel``); if
        it changed since, change nothing and return it as it is now."""
        update = parse(StatusUpdate, {"status": status, "expectedVersion": seen_version})
        try:
            order = await self._orders.change_status(actor, order_id, update, channel)
        except (VersionConflict, IllegalTransition):
            return StatusMove(view=await self.view(actor, order_id), moved=False)
        return StatusMove(view=await self._view_of(order), moved=True)

    async def _view_of(self, order: Order) -> StaffOrderView:
        people = {order.user_id}
        people.update(c.by for c in order.history if c.by and not isinstance(c.by, ShopProcess))
        found = {
            document["_id"]: User.model_validate(document)
            async for document in self._users.find({"_id": {"$in": list(people)}})
        }
        history = []
        for change in order.history:
            process = change.by if isinstance(change.by, ShopProcess) else None
            by = found.get(change.by) if change.by and process is None else None
            history.append(
                StaffChange(
                    from_status=change.from_status,
                    to_status=change.to_status,
                    by_name=by.name if by else None,
                    by_role=by.role if by else None,
                    by_process=process,
                    at=change.at,
                    channel=change.channel,
                )
            )
        return StaffOrderView(
            order=order,
            customer=found.get(order.user_id),
            history=tuple(history),
            next_statuses=tuple(s for s in OrderStatus if s in TRANSITIONS[order.status]),
        )
