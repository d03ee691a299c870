"""Telegram's side of reconciling Stars payments (``core/sales/star_ledger.py``): reading the
bot's ledger with getStarTransactions, at startup and every ``STARS_RECONCILE_SECONDS``."""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from aiogram import Bot
from aiogram.enums import TransactionPartnerUserTransactionTypeEnum
from aiogram.types import TransactionPartnerUser

from core.sales.models import LedgerPage, StarPayment
from core.shop import Shop

log = logging.getLogger(__name__)


async def read_ledger(bot: Bot, offset: int, limit: int) -> LedgerPage:
    """One page of the bot's Star transactions, with the invoice payments among them."""
    transactions = (await bot.get_star_transactions(offset=offset, limit=limit)).transactions
    payments = [
        StarPayment(
            charge_id=transaction.id,
            payer_telegram_id=source.user.id,
            amount=transaction.amount,
            invoice_payload=source.invoice_payload,
        )
        for transaction in transactions
        if isinstance(source := transaction.source, TransactionPartnerUser)
        and source.transaction_type == TransactionPartnerUserTransactionTypeEnum.INVOICE_PAYMENT
        and source.invoice_payload is not None
    ]
    return LedgerPage(transactions=len(transactions), payments=tuple(payments))


async def keep_reconciling(shop: Shop, bot: Bot, every_seconds: float) -> None:
    """Reconcile now, then every ``every_seconds``, until cancelled."""
    while True:
        try:
            await shop.star_ledger.reconcile(partial(read_ledger, bot))
        except Exception:
            log.exception("reconciling Stars payments failed; will retry")
        await asyncio.sleep(every_seconds)
