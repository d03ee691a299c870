"""Staff accounts: staff find accounts (operators read them, to serve customers); admins
change their role and switch them off and on.

A deactivated account cannot sign in, its tokens stop working at once (its session version
moves on, and every request reads the account), and the bot treats it as unknown.

The shop never loses its last active admin, even when two admins demote each other at the
same moment. One document, ``staff: {_id: "admins", ids, count}``, lists the active admins
and is the commit point of every change that makes or unmakes one. A change of an
account's role or activity is three single-document writes, the account being its own
journal:

1. open: ``journal: {kind: "account", owner, leaseUntil}`` plus the ``role`` and/or
   ``active`` asked for, on the account, only where no other change is open (changes of
   one account go one at a time, so the account as it was before this write is the one
   the change starts from, and stays so until step 3);
2. commit, only if the change makes or unmakes an active admin: add the account to
   ``admins``, or take it out, guarded by ``count >= 2`` (else ``LastAdmin``, and the
   journal is closed with nothing changed);
3. apply: the new role and activity, the session version moved on (ending the account's
   sessions), the journal closed.

``admins`` never names more active admins than there are (an account joins it before it
becomes one and leaves it before it stops), so its guard keeps at least one. Recovery,
once a journal's lease expired, applies the change if it was committed (the account is in
``admins`` exactly when the change leaves it an active admin) and closes the journal
otherwise. ``admins`` is counted from the accounts when it does not exist yet (a shop made
before it existed); no change can commit before then.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from core.accounts.access import SYSTEM, Actor
from core.accounts.commands import AccountChange, AdminAccount, UserQuery
from core.accounts.errors import AccountBusy, LastAdmin
from core.accounts.models import STAFF, Role, User
from core.accounts.users import Users
from core.base import clock
from core.base.ids import parse_id
from core.base.journal import close_journal, open_journal, recover_expired
from core.base.models import Page
from core.store import Store, find_page, update_and_fetch

ACCOUNT = "account"
ADMINS = "admins"
NEWEST_FIRST = [("createdAt", -1), ("_id", -1)]


class Accounts:
    def __init__(self, store: Store, users: Users, lease: timedelta) -> None:
        self._users = store.users
        self._registry = store.staff
        self._profiles = users
        self._lease = lease

    async def list(self, actor: Actor, query: UserQuery) -> Page[User]:
        """Accounts, newest first, matching ``query``'s words, role and activity."""
        actor.require(*STAFF)
        filters: dict[str, Any] = {}
        if words := query.q.strip():
            pattern = {"$regex": re.escape(words), "$options": "i"}
            matches: list[dict[str, Any]] = [{"name": pattern}, {"email": pattern}]
            if words.isdecimal() and len(words) <= 16:
                matches.append({"telegramId": int(words)})
            filters["$or"] = matches
        if query.role is not None:
            filters["role"] = query.role.value
        if query.active is not None:
            # accounts from before the field existed are active
            filters["active"] = {"$ne": False} if query.active else False
        return await find_page(self._users, filters, NEWEST_FIRST, User, query.page, query.limit)

    async def get(self, actor: Actor, user_id: object) -> User:
        actor.require(*STAFF)
        return await self._profiles.get(user_id)

    async def named(self, actor: Actor, user_ids: Iterable[ObjectId]) -> dict[ObjectId, User]:
        """The accounts of ``user_ids`` that exist, by id (to name the people on a list)."""
        actor.require(*STAFF)
        wanted = list(set(user_ids))
        return {
            document["_id"]: User.model_validate(document)
            async for document in self._users.find({"_id": {"$in": wanted}})
        }

    async def set_role(self, actor: Actor, user_id: object, role: Role) -> User:
        return await self.change(actor, user_id, AccountChange(role=role))

    async def change(self, actor: Actor, user_id: object, change: AccountChange) -> User:
        """Change an account's role and/or activity (see the module's docstring)."""
        actor.require(Role.ADMIN)
        oid = parse_id(user_id)
        now = clock.now()
        journal, owner = open_journal(ACCOUNT, now, self._lease)
        journal.update(change.model_dump(mode="json", exclude_none=True))
        before = await self._users.find_one_and_update(
            {"_id": oid, "journal": None}, {"$set": {"journal": journal}}
        )
        if before is None:
            await self._profiles.get(oid)  # NotFound if there is no such account
            raise AccountBusy()
        current = User.model_validate(before)
        role = change.role or current.role
        active = current.active if change.active is None else change.active
        if (role, active) == (current.role, current.active):
            await close_journal(self._users, oid, owner)
            return current
        target = current.model_copy(update={"role": role, "active": active})
        if target.is_active_admin != current.is_active_admin:
            try:
                await self._commit(oid, joins=target.is_active_admin)
            except LastAdmin:
                await close_journal(self._users, oid, owner)
                raise
        applied = await self._apply(oid, owner, role, active)
        if applied is None:  # stalled past the lease: recovery finishes the change
            raise AccountBusy()
        return applied

    async def create_admin(self, account: AdminAccount) -> User:
        """Make the account with this email (created if need be) an active admin with this
        password, linked to the Telegram id if given: the command line's job."""
        user = await self._profiles.set_up(account)
        return await self.change(SYSTEM, user.id, AccountChange(role=Role.ADMIN, active=True))

    async def recover(self, at: datetime | None = None) -> int:
        """Count the admins if nobody has yet, then finish or undo every change of an account
        whose lease expired before ``at``; how many changes."""
        await self._admins()
        return await recover_expired(
            self._users, ACCOUNT, at or clock.now(), self._lease, self._resume
        )

    async def _resume(self, document: dict[str, Any], owner: str) -> None:
        journal, current = document["journal"], User.model_validate(document)
        role = Role(journal.get("role", current.role))
        active = bool(journal.get("active", current.active))
        registry = await self._admins()
        stays_admin = active and role is Role.ADMIN
        if (document["_id"] in registry["ids"]) == stays_admin:
            await self._apply(document["_id"], owner, role, active)
        else:
            await close_journal(self._users, document["_id"], owner)

    async def _apply(self, oid: ObjectId, owner: str, role: Role, active: bool) -> User | None:
        document = await update_and_fetch(
            self._users,
            {"_id": oid, "journal.owner": owner},
            {
                "$set": {"role": role.value, "active": active, "updatedAt": clock.now()},
                "$inc": {"sessionVersion": 1},
                "$unset": {"journal": ""},
            },
        )
        return None if document is None else User.model_validate(document)

    async def _commit(self, oid: ObjectId, *, joins: bool) -> None:
        """Add the account to ``admins``, or take it out unless it is the last one."""
        if joins:
            guard: dict[str, Any] = {"ids": {"$ne": oid}}
            update: dict[str, Any] = {"$push": {"ids": oid}, "$inc": {"count": 1}}
        else:
            guard = {"ids": oid, "count": {"$gte": 2}}
            update = {"$pull": {"ids": oid}, "$inc": {"count": -1}}
        while True:
            done = await self._registry.update_one({"_id": ADMINS, **guard}, update)
            if done.modified_count == 1:
                return
            registry = await self._registry.find_one({"_id": ADMINS})
            if registry is None:
                await self._count_admins()  # a shop from before admins were counted
            elif (oid in registry["ids"]) == joins:
                return  # already where the change puts it
            else:
                raise LastAdmin()

    async def _admins(self) -> dict[str, Any]:
        """The ``admins`` document, counted from the accounts if it does not exist yet."""
        while (registry := await self._registry.find_one({"_id": ADMINS})) is None:
            await self._count_admins()
        return registry

    async def _count_admins(self) -> None:
        """Create ``admins`` from the accounts; once, however many processes try at once
        (no change can commit before it exists, so the count cannot be overtaken)."""
        cursor = self._users.find({"role": Role.ADMIN.value, "active": {"$ne": False}}, {"_id": 1})
        ids = [document["_id"] for document in await cursor.to_list()]
        with contextlib.suppress(DuplicateKeyError):  # another process counted them first
            await self._registry.insert_one({"_id": ADMINS, "ids": ids, "count": len(ids)})
