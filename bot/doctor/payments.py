"""Each payment method in PAYMENT_METHODS, tried with a test invoice link (createInvoiceLink),
which no customer sees: Telegram checks the provider token and the currency as it does for a
real invoice."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import LabeledPrice

from bot.config import BotSettings
from bot.doctor.checks import Check, failed, ok, warning
from bot.doctor.telegram import TIMEOUT, telegram_error
from core.base.money import STARS, exponent, major_units
from core.config import CoreSettings
from core.sales.models import PaymentMethod

AMOUNT_TRIES = 6
"""Telegram takes amounts between about US$1 and US$10,000 in each currency: the test
invoice starts at one major unit and grows tenfold while the amount is refused."""
TOO_SMALL_OR_BIG = "CURRENCY_TOTAL_AMOUNT_INVALID"


async def payment_methods(bot: Bot, core: CoreSettings, settings: BotSettings) -> list[Check]:
    checks = []
    for method in core.payment_methods:
        if method is PaymentMethod.MANUAL:
            checks.append(ok("payments by hand (manual): staff mark orders paid"))
        elif method is PaymentMethod.STARS:
            checks.append(await _stars(bot, settings))
        else:
            checks.append(await _provider(bot, core, settings))
    return checks


async def _stars(bot: Bot, settings: BotSettings) -> Check:
    try:
        await _link(bot, STARS, "", 1)
    except TelegramBadRequest as error:
        return failed(
            f"Telegram Stars: a test invoice is refused ({error.message})",
            "check that the bot may take Stars (@BotFather → your bot → Payments)",
        )
    except TelegramAPIError as error:
        return telegram_error("createInvoiceLink", error, settings)
    found = "Telegram Stars: Telegram accepts an invoice in XTR"
    if settings.payment_support is None:
        return warning(
            f"{found}, but PAYMENT_SUPPORT is unset: /paysupport names nobody",
            "set PAYMENT_SUPPORT to who helps customers with payments (@handle, email or "
            "link): Telegram expects bots taking Stars to answer /paysupport",
        )
    return ok(f"{found}; /paysupport names {settings.payment_support}")


async def _provider(bot: Bot, core: CoreSettings, settings: BotSettings) -> Check:
    token = core.payment_provider_token.get_secret_value() if core.payment_provider_token else ""
    currency = core.shop_currency
    amount = 10 ** exponent(currency)
    try:
        for _ in range(AMOUNT_TRIES):
            try:
                await _link(bot, currency, token, amount)
                break
            except TelegramBadRequest as error:
                if TOO_SMALL_OR_BIG not in error.message:
                    raise
                amount *= 10
        else:
            return failed(
                f"card payments (provider): Telegram refuses test invoices in {currency} of "
                f"every amount from {major_units(10 ** exponent(currency), currency)} up",
                "check SHOP_CURRENCY with your payment provider",
            )
    except TelegramBadRequest as error:
        if "PAYMENT_PROVIDER_INVALID" in error.message:
            return failed(
                "card payments (provider): Telegram refuses PAYMENT_PROVIDER_TOKEN",
                "copy it again from @BotFather (/mybots → your bot → Payments); a token of "
                "another bot, or one revoked, is refused",
            )
        if "CURRENCY_INVALID" in error.message:
            return failed(
                f"card payments (provider): Telegram does not take SHOP_CURRENCY={currency}",
                "set SHOP_CURRENCY to a currency of core.telegram.org/bots/payments"
                "#supported-currencies that your payment provider takes",
            )
        return failed(
            f"card payments (provider): a test invoice in {currency} is refused ({error.message})",
            "check PAYMENT_PROVIDER_TOKEN and SHOP_CURRENCY with your payment provider",
        )
    except TelegramAPIError as error:
        return telegram_error("createInvoiceLink", error, settings)
    found = (
        f"card payments (provider): Telegram accepts the token and {currency} "
        f"(a test invoice of {major_units(amount, currency)} {currency})"
    )
    if ":TEST:" in token:
        return warning(
            f"{found}, but it is a TEST token: no real money moves",
            "to sell, connect the provider's live mode in @BotFather and set its LIVE token",
        )
    return ok(found)


async def _link(bot: Bot, currency: str, token: str, amount: int) -> str:
    return await bot.create_invoice_link(
        title="Setup check",
        description="A test invoice made by python -m bot.doctor; nobody is asked to pay it.",
        payload="doctor",
        provider_token=token,
        currency=currency,
        prices=[LabeledPrice(label="Setup check", amount=amount)],
        request_timeout=TIMEOUT,
    )
