"""The database (answers, write concern, indexes, prices in the shop's currency) and the
secret that signs staff sign-ins, judged by core's rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure, PyMongoError

from bot.doctor.checks import Check, failed, ok, warning
from core.accounts.tokens import secret_strength
from core.catalog.currency import currency_mismatch
from core.config import CoreSettings
from core.store import Store, connect, durability
from runtime.database import driver_reason

SHOWN_INDEXES = 5
NEW_SECRET = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'  # noqa: S105


async def database(settings: CoreSettings, uri: str) -> list[Check]:
    """Ping with ``MONGODB_TIMEOUT_SECONDS``, then the write concern, the indexes and the
    prices' currency; reads only."""
    client = connect(
        uri,
        settings.mongodb_write_concern,
        timedelta(seconds=settings.mongodb_timeout_seconds),
    )
    where = "the embedded database" if settings.mongodb_uri is None else "MONGODB_URI"
    try:
        return await _checks(client, settings, where)
    except OperationFailure as error:
        return [
            failed(
                f"{where} refuses the shop ({(error.details or {}).get('errmsg', error)})",
                "check the user, password and database in MONGODB_URI",
            )
        ]
    except PyMongoError as error:
        return [
            failed(
                f"{where} does not answer within {settings.mongodb_timeout_seconds:g} s "
                f"({driver_reason(str(error))})",
                "start the database, or correct MONGODB_URI (host, port, user, password)",
            )
        ]
    finally:
        await client.close()


async def _checks(
    client: AsyncMongoClient[dict[str, Any]], settings: CoreSettings, where: str
) -> list[Check]:
    found = await durability(client, settings.mongodb_write_concern)
    answers = f"{where} answers; {found.summary}"
    checks = [ok(answers) if found.advice is None else warning(answers, found.advice)]
    if settings.mongodb_uri is None:
        checks.append(
            warning(
                "the embedded database (mongo-java-server) is for trying the shop",
                "run MongoDB in production and set MONGODB_URI (docker-compose.yml does)",
            )
        )
    store = Store.of(client[settings.mongodb_database])
    checks.append(await _indexes(store, settings.mongodb_database))
    if problem := await currency_mismatch(store, settings.shop_currency):
        checks.append(failed(problem, "no process starts until the prices are converted"))
    return checks


async def _indexes(store: Store, name: str) -> Check:
    missing = await store.missing_indexes()
    declared = sum(len(models) for _, models in store.indexes())
    fix = "start the API or the bot once: they create them"
    if not missing:
        return ok(f"database {name!r} has all {declared} of the shop's indexes")
    if len(missing) == declared:
        return warning(f"database {name!r} has none of the shop's indexes yet (a new one?)", fix)
    shown = "; ".join(missing[:SHOWN_INDEXES])
    more = f" and {len(missing) - SHOWN_INDEXES} more" if len(missing) > SHOWN_INDEXES else ""
    return warning(
        f"database {name!r} lacks {len(missing)} of the shop's {declared} indexes: {shown}{more}",
        fix,
    )


def jwt_secret(settings: CoreSettings) -> Check:
    strength = secret_strength(settings.jwt_secret.get_secret_value())
    fix = f"set JWT_SECRET in .env to the output of {NEW_SECRET} (everyone signs in again)"
    if strength.guessable:
        return failed(
            f"JWT_SECRET is guessable ({strength.problem}): anyone could sign in as staff", fix
        )
    if strength.problem is not None:
        return warning(f"JWT_SECRET is weak ({strength.problem})", fix)
    return ok(f"JWT_SECRET is strong (about {strength.bits} bits)")
