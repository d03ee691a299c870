"""What the bot says about a customer's data: what the shop keeps, and erasing it (in the
reader's language, like ``bot/texts.py``)."""

from __future__ import annotations

from aiogram import html
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.texts import current_language, language_name, order_numbers
from core.accounts.models import CampaignTouch, SavedDelivery
from core.privacy.models import CustomerData, ErasureReport


def your_data(data: CustomerData) -> str:
    account = data.account
    language = account.language or current_language()
    products = 0 if data.cart is None else len(data.cart.products)
    orders, waiting, forms = len(data.orders), len(data.queued_notices), len(data.conversations)
    watched = len(data.restock_requests)
    return "\n".join(
        [
            "<b>{}</b>".format(_("What the shop keeps about you")),
            _("Name: {name}").format(name=html.quote(account.name)),
            _("Email: {email}").format(email=html.quote(account.email)),
            _("Telegram id: {id}").format(id=account.telegram_id),
            _("Language: {language}").format(language=language_name(language)),
            _saved(account.last_delivery),
            _campaign(account.campaign),
            ngettext("Cart: {count} product", "Cart: {count} products", products).format(
                count=products
            ),
            ngettext(
                "Orders: {count}, with its delivery details",
                "Orders: {count}, each with its delivery details",
                orders,
            ).format(count=orders),
            ngettext(
                "Messages waiting to be sent to you: {count}",
                "Messages waiting to be sent to you: {count}",
                waiting,
            ).format(count=waiting),
            ngettext(
                "Sold-out products you asked to hear about: {count}",
                "Sold-out products you asked to hear about: {count}",
                watched,
            ).format(count=watched),
            ngettext(
                "Chats where you are in the middle of something: {count}",
                "Chats where you are in the middle of something: {count}",
                forms,
            ).format(count=forms),
            "",
            _(
                "The shop does not keep your Telegram username or name, only your Telegram id. "
                "With a password (set one in your profile), GET /api/me/data in the shop's HTTP "
                "API gives all of it as data."
            ),
        ]
    )


def _campaign(touch: CampaignTouch | None) -> str:
    """The campaign of the last campaign link the customer followed (README, links)."""
    if touch is None:
        return _("Campaign link you came by: none")
    return _("Campaign link you came by: {name}").format(name=html.quote(touch.name))


def _saved(saved: SavedDelivery | None) -> str:
    if saved is None:
        return _("Saved delivery details: none")
    parts = [saved.recipient_name, saved.phone, *([saved.address] if saved.address else [])]
    return _("Saved delivery details: {details}").format(details=html.quote(", ".join(parts)))


def ask_erasure() -> str:
    return "\n\n".join(
        [
            "<b>{}</b>".format(_("Delete your data?")),
            _(
                "This deletes your name, email, phone numbers and addresses, saved delivery "
                "details, language, cart and anything typed into an unfinished form; cancels "
                "your unpaid orders (and the messages waiting for you) and closes your account."
            ),
            _(
                "The shop keeps your orders for its accounts, as bookkeeping requires: their "
                "numbers, products, totals and payment records, with the payment's charge ids, "
                "which a refund needs. Your name, phone and address are removed from them."
            ),
            _("This cannot be undone. You can shop here again later, as a new customer."),
        ]
    )


def erased(report: ErasureReport) -> str:
    lines = ["<b>{}</b>".format(_("Your data is deleted."))]
    if report.cancelled_orders:
        lines.append(
            _("Unpaid orders cancelled: {numbers}.").format(
                numbers=order_numbers(report.cancelled_orders)
            )
        )
    if report.kept_orders:
        lines.append(
            _(
                "Kept for the shop's accounts, without your name, phone or address: orders "
                "{numbers} (numbers, products, totals and payment records)."
            ).format(numbers=order_numbers(report.kept_orders))
        )
    lines.append(_("Send /start to shop again as a new customer."))
    return "\n\n".join(lines)
