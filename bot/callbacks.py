"""Every inline button's data, typed. Short prefixes keep packed data under 64 bytes.

Callback data is untrusted: ids in it are checked against the user by core on every use.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from core.accounts.models import Language
from core.sales.models import OrderStatus, PaymentMethod


class Section(StrEnum):
    HOME = "home"
    CATALOG = "catalog"
    CART = "cart"
    ORDERS = "orders"
    PROFILE = "profile"


class Open(CallbackData, prefix="m"):
    """Open a section of the main menu."""

    section: Section


class KeepName(CallbackData, prefix="su"):
    """During signup: keep the name from the Telegram profile."""


ALL_PRODUCTS = ""
"""A list's ``category`` for every product (a shop without categories, or a search)."""


class CatalogPage(CallbackData, prefix="cp"):
    """A page of products: of the last search, of one category (its id, or ``none`` for
    products in no category), or of all of them."""

    page: int
    search: bool = False
    category: str = ALL_PRODUCTS


class ProductCard(CallbackData, prefix="p"):
    """Show a product with ``quantity`` picked; ``page``, ``search`` and ``category`` name the
    list to go back to."""

    product_id: str
    quantity: int = 1
    page: int = 1
    search: bool = False
    category: str = ALL_PRODUCTS


class FlipPhoto(CallbackData, prefix="pic"):
    """Show photo ``photo`` (from 0) of a product's card in place; a photo the product no
    longer has shows its first."""

    product_id: str
    photo: int


class AddToCart(CallbackData, prefix="a"):
    product_id: str
    quantity: int


class SetLine(CallbackData, prefix="cl"):
    """Set a cart line to exactly ``quantity``; 0 removes it (replaying it changes nothing).
    ``variant_id``: the line's variant, empty for a product sold as itself."""

    product_id: str
    quantity: int
    variant_id: str = ""


class ClearCart(CallbackData, prefix="cc"):
    pass


class CheckoutStep(StrEnum):
    REVIEW = "review"
    CONFIRM = "confirm"


class Checkout(CallbackData, prefix="co"):
    """Review the cart for ordering, or confirm the summary made at cart ``version`` with
    the delivery details whose fingerprint is ``details`` (empty where the shop does not
    deliver)."""

    step: CheckoutStep
    version: int = 0
    details: str = ""


class ChooseDelivery(CallbackData, prefix="dm"):
    """Deliver by the method with this code (checked against the shop's methods)."""

    code: str


class ReuseDelivery(CallbackData, prefix="dr"):
    """Answer "Send to the same address?": reuse the last order's details, or give new ones."""

    reuse: bool


class AddNote(CallbackData, prefix="dn"):
    """From the summary: write a note for the shop."""


class OrdersPage(CallbackData, prefix="op"):
    page: int


class OrderCard(CallbackData, prefix="o"):
    order_id: str
    page: int = 1


class Pay(CallbackData, prefix="pay"):
    """Send the invoice for an order, to pay by ``method`` (Telegram Payments or Stars)."""

    order_id: str
    method: PaymentMethod


class PayByHand(CallbackData, prefix="ph"):
    """The customer will pay the order by hand (``manual``): show how."""

    order_id: str


class ProfileEdit(StrEnum):
    NAME = "name"
    PASSWORD = "password"  # noqa: S105 (a button, not a secret)
    LANGUAGE = "language"


class EditProfile(CallbackData, prefix="pe"):
    field: ProfileEdit


class ChooseLanguage(CallbackData, prefix="lg"):
    """Speak ``language`` to me from now on (the bot and notifications)."""

    language: Language


class SwitchCartReminders(CallbackData, prefix="rm"):
    """Turn reminders of a cart left untouched ``on`` or off (the state wanted, so a
    double tap changes nothing twice)."""

    on: bool


class MyData(CallbackData, prefix="pd"):
    """Show what the shop keeps about me."""


class AskErasure(CallbackData, prefix="pa"):
    """Ask me to confirm erasing my data."""


class EraseMyData(CallbackData, prefix="px"):
    """Erase my data (the presser's own, never anyone else's). ``token`` must be the one the
    confirmation step kept in this chat's state: a button never shown to this user here
    erases nothing."""

    token: str


# -- staff: every press is checked by core against the presser's current role ------------


class StaffMenu(CallbackData, prefix="sm"):
    """The staff menu: orders by status, broadcasts."""


class StaffList(CallbackData, prefix="sl"):
    status: OrderStatus
    page: int = 1


class StaffOrder(CallbackData, prefix="so"):
    """Open an order for staff; ``listed`` and ``page`` are the list to go back to."""

    order_id: str
    listed: OrderStatus
    page: int = 1


class StaffMove(CallbackData, prefix="sx"):
    """Move the order shown at ``version`` to ``status`` (not applied if it moved since).

    ``listed`` and ``page``: the list the card was opened from (none on a new-order card).
    """

    order_id: str
    status: OrderStatus
    version: int
    listed: OrderStatus | None = None
    page: int = 1


class Compose(CallbackData, prefix="bn"):
    """Start writing a broadcast."""


class DraftFormat(CallbackData, prefix="bf"):
    """Send draft ``draft_id``'s text as Telegram HTML (``formatted``) or as typed.

    Every draft button names its draft: one of an older draft does nothing.
    """

    draft_id: str
    formatted: bool


class DraftSegment(CallbackData, prefix="bs"):
    """Address the draft to customers with an order in ``status``, or (none) all."""

    draft_id: str
    status: OrderStatus | None = None


class DraftSend(CallbackData, prefix="bo"):
    """Send the draft (its id is the broadcast's: sending it twice starts one)."""

    draft_id: str


class DraftDiscard(CallbackData, prefix="bd"):
    draft_id: str


class StopBroadcast(CallbackData, prefix="bx"):
    broadcast_id: str


class ResendGoods(CallbackData, prefix="rg"):
    """Send the digital goods of the customer's own order to the chat again."""

    order_id: str


class AskPromo(CallbackData, prefix="pr"):
    """Type a promo code for the cart."""


class DropPromo(CallbackData, prefix="prd"):
    """Take the promo code off the cart; ``summary``: then show the checkout summary again
    (the customer orders without it), else the cart."""

    summary: bool = False
