"""FSM state in MongoDB (aiogram's ``PyMongoStorage`` on the shop's own client), read once
per update together with the customer's account and cart.

``VisitFSM`` takes the place of aiogram's ``FSMContextMiddleware``. Inside the user's
event-isolation lock it reads the visit (``core/sales/visits.py``): the account, the cart and
this conversation's FSM document in one round trip, and hands handlers ``visit``. While
the update is handled, ``ShopStorage`` answers reads of that FSM document from the visit:
the lock keeps the user's other updates, the only writers of it, from changing it
meanwhile. A write goes to the database as aiogram's storage writes it, and sends the
reads after it there too.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from aiogram import Bot
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.fsm.storage.base import BaseEventIsolation, StateType, StorageKey
from aiogram.fsm.storage.pymongo import PyMongoStorage
from aiogram.types import TelegramObject, Update
from aiogram.types import User as TelegramUser

from core.sales.visits import Visits
from core.shop import Shop

VISITED = frozenset({"message", "callback_query"})
"""The updates that start with a visit: the ones whose handlers need the customer."""

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


@dataclass
class _Held:
    """The FSM document of the update being handled, as the visit read it."""

    document_id: str
    document: dict[str, Any] | None
    current: bool = True
    """Until the update ends or writes the document."""


_held: ContextVar[_Held | None] = ContextVar("held_fsm_document", default=None)


class ShopStorage(PyMongoStorage):
    """Keeps states in one collection of the shop's database; leaves the client open at
    shutdown, since the shop owns it (``PyMongoStorage.close`` would close it)."""

    def __init__(self, shop: Shop, collection: str) -> None:
        super().__init__(
            shop.client, db_name=shop.settings.mongodb_database, collection_name=collection
        )
        self.collection = collection

    def document_id(self, key: StorageKey) -> str:
        return self._key_builder.build(key)

    @contextlib.contextmanager
    def holding(self, key: StorageKey, document: dict[str, Any] | None) -> Iterator[None]:
        """Within the block (and the current context), ``document`` is ``key``'s."""
        held = _Held(self.document_id(key), document)
        token = _held.set(held)
        try:
            yield
        finally:
            held.current = False  # tasks started within the block keep the context
            _held.reset(token)

    def _held(self, key: StorageKey) -> _Held | None:
        held = _held.get()
        if held is None or not held.current or held.document_id != self.document_id(key):
            return None
        return held

    async def get_state(self, key: StorageKey) -> str | None:
        if (held := self._held(key)) is None:
            return await super().get_state(key)
        return None if held.document is None else held.document.get("state")

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        if (held := self._held(key)) is None:
            return await super().get_data(key)
        data = None if held.document is None else held.document.get("data")
        return copy.deepcopy(data) if data else {}

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        self._written(key)
        await super().set_state(key, state)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        self._written(key)
        await super().set_data(key, data)

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        self._written(key)
        return await super().update_data(key, data)

    def _written(self, key: StorageKey) -> None:
        if (held := self._held(key)) is not None:
            held.current = False

    async def close(self) -> None:
        """The shop closes its client."""


class VisitFSM(FSMContextMiddleware):
    """aiogram's FSM middleware, whose state read is the visit's for messages and button
    presses."""

    def __init__(
        self, storage: ShopStorage, events_isolation: BaseEventIsolation, visits: Visits
    ) -> None:
        super().__init__(storage=storage, events_isolation=events_isolation)
        self._storage = storage
        self._visits = visits

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        context = self.resolve_event_context(cast(Bot, data["bot"]), data)
        data["fsm_storage"] = self.storage
        if context is None:
            return await handler(event, data)
        sender: TelegramUser | None = data.get("event_from_user")
        visited = isinstance(event, Update) and event.event_type in VISITED
        async with self.events_isolation.lock(key=context.key):
            with contextlib.ExitStack() as holding:
                if sender is not None and visited:
                    fsm = (self._storage.collection, self._storage.document_id(context.key))
                    data["visit"] = visit = await self._visits.of_telegram(sender.id, fsm)
                    holding.enter_context(self._storage.holding(context.key, visit.companion))
                data.update({"state": context, "raw_state": await context.get_state()})
                return await handler(event, data)
