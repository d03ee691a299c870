"""Leases on multi-step work recorded in an order's ``journal`` field.

A step that belongs to an attempt is guarded by ``journal.owner``; once the lease has
expired, recovery claims the journal by replacing the owner, after which the stalled
attempt's guarded writes match nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from core.store import Collection


def open_journal(kind: str, now: datetime, lease: timedelta) -> tuple[dict[str, Any], str]:
    """A new journal value and the owner token that guards its steps."""
    owner = uuid.uuid4().hex
    return {"kind": kind, "owner": owner, "leaseUntil": now + lease}, owner


async def claim_expired(
    collection: Collection, kind: str, at: datetime, lease: timedelta
) -> tuple[dict[str, Any], str] | None:
    """Take over one ``kind`` journal whose lease ran out before ``at``.

    Returns the document as it was before the claim (its journal still names the old
    owner) and the new owner token.
    """
    owner = uuid.uuid4().hex
    document = await collection.find_one_and_update(
        {"journal.kind": kind, "journal.leaseUntil": {"$lt": at}},
        {"$set": {"journal.owner": owner, "journal.leaseUntil": at + lease}},
    )
    return None if document is None else (document, owner)


async def recover_expired(
    collection: Collection,
    kind: str,
    at: datetime,
    lease: timedelta,
    resume: Callable[[dict[str, Any], str], Awaitable[None]],
) -> int:
    """Take over, one by one, every ``kind`` journal whose lease ran out before ``at`` and
    hand it to ``resume`` (with its new owner) to finish or undo; how many."""
    recovered = 0
    while claimed := await claim_expired(collection, kind, at, lease):
        await resume(*claimed)
        recovered += 1
    return recovered


async def close_journal(collection: Collection, document_id: Any, owner: str) -> None:
    await collection.update_one(
        {"_id": document_id, "journal.owner": owner}, {"$unset": {"journal": ""}}
    )
