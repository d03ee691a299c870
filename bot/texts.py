"""What the bot says: every message text, rendered from core's models as escaped HTML, in
the reader's language (``bot/i18n.py``; the English here is the message id).

A text with values is translated first and filled in after, ``_("Hi, {name}").format(...)``,
so that translators see the whole sentence. ``python -m bot.catalogs`` collects them.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import html
from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from babel import Locale

from bot import goods
from core.accounts.errors import TooManyAttempts
from core.accounts.models import Language, User
from core.base.errors import DomainError, FieldError, InvalidInput
from core.base.models import Page
from core.base.money import format_money
from core.catalog.errors import TooManyCategories, WrongCurrency
from core.catalog.models import Product
from core.catalog.variants.errors import ChooseVariant, TooManyVariants
from core.messaging.models import (
    CartReminder,
    LatePaymentNotice,
    OrderExpiredNotice,
    OrderNews,
    OrderStatusNotice,
    RefundedNotice,
)
from core.privacy.errors import DeliveryOutstanding
from core.sales.delivery import total_with_fee
from core.sales.errors import CartLimit, IllegalTransition, OutOfStock, ProductUnavailable
from core.sales.models import (
    CartView,
    DeliveryMethod,
    DeliverySnapshot,
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentState,
)

LOW_STOCK = 5
ALERT_LIMIT = 200
LIST_NAME_LIMIT = 40
CAPTION_DESCRIPTION = 700  # with a name of at most 200, within a caption's 1024 characters


def N_(message: str) -> str:
    """Marks a message id for the catalogs; it is translated where it is shown."""
    return message


def help_text() -> str:
    return _(
        "<b>How to shop here</b>\n"
        "/start: main menu (or sign up)\n"
        "/catalog: browse products; or just type to search by name\n"
        "/cart: your cart and checkout\n"
        "/orders: your orders and their status\n"
        "/profile: your name, email, password and language\n"
        "/cancel: leave whatever you are doing"
    )


def ask_name() -> str:
    return _("Welcome to the shop! What name should we use for your orders?")


def ask_new_name() -> str:
    return _("Send your new name, or /cancel.")


def ask_passwords() -> str:
    return _(
        "Send your current password on the first line and the new one (8 to 72 characters) "
        "on the second, or /cancel. The message is deleted right after."
    )


def ask_new_password() -> str:
    return _(
        "Send a new password (8 to 72 characters), or /cancel. With it you can also sign in "
        "to the shop's website with your email. The message is deleted right after."
    )


def password_set() -> str:
    return _("Password saved. Other sign-ins have been signed out.")


def cancelled() -> str:
    return _("Cancelled.")


def nothing_to_cancel() -> str:
    return _("Nothing to cancel.")


def sign_up_first() -> str:
    return _("Please send /start to sign up first.")


def stale_button() -> str:
    return _("This button is out of date.")


def cart_changed() -> str:
    return _("Your cart changed since this summary. Here it is again.")


def not_understood() -> str:
    return _("Sorry, I did not get that. /help lists what I can do.")


def unexpected() -> str:
    return _("Something went wrong on our side. Please try again.")


def ask_method() -> str:
    return _("How should your order reach you?")


def ask_phone() -> str:
    return _(
        "Which phone number can we call about this order? Share it with the button below, or "
        "type it with the country code (+44 20 7946 0958). /cancel to stop."
    )


def share_phone() -> str:
    return _("📱 Share my phone number")


def not_your_contact() -> str:
    return _("Please share your own number with the button below, or type it.")


def ask_address() -> str:
    return _(
        "Where should we deliver? Send the address in one message: street and house, flat, "
        "city, postcode. /cancel to stop."
    )


def use_the_buttons() -> str:
    return _("Please answer with the buttons above, or /cancel.")


def ask_note() -> str:
    return _("Send your note for the shop (up to 500 characters), or /cancel.")


def details_changed() -> str:
    return _("Your delivery details changed since this summary. Please check out again.")


def low_stock_alert(name: str, stock: int | None, limit: int | None) -> str:
    """For the operators' chat; ``name`` is escaped already."""
    return _("Low stock: <b>{name}</b> has {stock} left (alert at {limit} or fewer).").format(
        name=name, stock=stock, limit=limit
    )


def choose_payment() -> str:
    return _("Pay now with a button below.")


def pay_by_hand() -> str:
    return _("I will pay by hand")


def invoice_refused() -> str:
    return _(
        "Telegram cannot take this payment (the total may be too small or too large for "
        "online payment). Please pay by hand or contact us."
    )


def payment_state(state: PaymentState) -> str | None:
    """How an order's payment stands, when there is something to say."""
    states = {
        PaymentState.PAID: _("paid"),
        PaymentState.REFUND_DUE: _("to be refunded"),
        PaymentState.REFUNDED: _("refunded"),
    }
    return states.get(state)


def payment_instructions() -> str:
    """Shown with a placed order unless the shop set ``PAYMENT_INSTRUCTIONS``."""
    return _(
        "Payment is manual for now: we will send you the payment details. "
        "Your order ships once it is paid."
    )


def current_language() -> Language:
    """The language this update is answered in."""
    return Language(get_i18n().current_locale)


def money(amount: int, currency: str) -> str:
    """Minor units as the reader writes money: 450 USD is "$4.50" in English."""
    return format_money(amount, currency, get_i18n().current_locale)


def language_name(language: Language) -> str:
    """A language in its own words ("English", "Русский"), as a language menu shows it."""
    name = Locale.parse(language.value).get_display_name(language.value) or language.value
    return name[:1].upper() + name[1:]


def status(value: OrderStatus) -> str:
    names = {
        OrderStatus.PENDING: _("pending"),
        OrderStatus.PAID: _("paid"),
        OrderStatus.SHIPPED: _("shipped"),
        OrderStatus.CANCELLED: _("cancelled"),
    }
    return names[value]


def stock_hint(stock: int) -> str:
    if stock <= 0:
        return _("sold out")
    if stock <= LOW_STOCK:
        return ngettext("only {count} left", "only {count} left", stock).format(count=stock)
    return _("in stock")


def product_button(product: Product) -> str:
    return (
        f"{product.name} · {money(product.price, product.currency)} · {stock_hint(product.stock)}"
    )


def ask_email(name: str) -> str:
    return _("Thanks, {name}. Now your email address, for order updates.").format(
        name=html.quote(name)
    )


def welcome(user: User) -> str:
    return _("Hello, {name}! What would you like to do?").format(name=html.quote(user.name))


def shelves() -> str:
    title = _("Catalog")
    pick = _("Pick a category, or type a name to search everything:")
    return f"<b>{title}</b>\n{pick}"


def other_shelf() -> str:
    """The shelf of products in no category."""
    return _("Other")


def shelf_button(name: str, products: int) -> str:
    return f"{name} ({products})"


def catalog(
    page: Page[Product],
    query: str,
    shelf: tuple[str, str] | None = None,
    *,
    subcategories: bool = False,
) -> str:
    """A page of products: of a search, of everything, or of a category (``shelf``: its
    name and description; ``subcategories``: it has some, shown before its products)."""
    name, about = shelf or (_("Catalog"), "")
    title = _("Search: {query}").format(query=html.quote(query)) if query else html.quote(name)
    lines = [f"<b>{title}</b>"]
    if page.items:
        lines[0] += " " + _("(page {page} of {pages})").format(page=page.page, pages=page.pages)
    if about and not query:
        lines.append(html.quote(about))
    if subcategories and not query:
        lines.append(
            _("Pick a subcategory or a product:") if page.items else _("Pick a subcategory:")
        )
    elif page.items:
        lines.append(_("Pick a product:"))
    elif shelf and not query:
        lines.append(_("Nothing here for now. Try another category, or type a name to search."))
    else:
        lines.append(_("Nothing matches. Try another search, or /catalog for everything."))
    return "\n".join(lines)


def product(item: Product, quantity: int) -> str:
    """The card's text; under a photo it is a caption, so the description is cut to fit."""
    lines = [f"<b>{html.quote(item.name)}</b>"]
    if item.description:
        limit = CAPTION_DESCRIPTION if item.photo else len(item.description)
        lines.append(html.quote(clip(item.description, limit)))
    lines += [
        "",
        _("Price: {price}").format(price=money(item.price, item.currency)),
        _("Availability: {hint}").format(hint=stock_hint(item.stock)),
        *goods.product_lines(item),
        _("Quantity: {quantity}").format(quantity=quantity),
    ]
    return "\n".join(lines)


def clip(text: str, limit: int = ALERT_LIMIT) -> str:
    """``text`` cut to fit a callback answer (plain text, at most 200 characters)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name(name: str) -> str:
    """A product name in a list: short enough that 50 lines fit one message, escaped."""
    return html.quote(clip(name, LIST_NAME_LIMIT))


def added(name: str, quantity: int) -> str:
    return clip(_("Added {quantity} x {name} to your cart.").format(quantity=quantity, name=name))


def _line(name: str, quantity: int, total: int, currency: str) -> str:
    return f"{_name(name)} x {quantity} = {money(total, currency)}"


def _total(amount: int, currency: str) -> str:
    return "<b>{}</b>".format(_("Total: {total}").format(total=money(amount, currency)))


def cart(view: CartView) -> str:
    if view.is_empty:
        title = "<b>{}</b>".format(_("Your cart"))
        empty = _("Your cart is empty. /catalog has everything we sell.")
        return f"{title}\n{empty}"
    total = view.total_amount - discount_of(view)
    return "\n".join([*_cart_lines(view), *promo_lines(view), "\n" + _total(total, view.currency)])


def _cart_lines(view: CartView) -> list[str]:
    lines = ["<b>{}</b>".format(_("Your cart"))]
    for item in view.items:
        line = _line(item.name, item.quantity, item.line_total, item.currency)
        if not item.available:
            advice = _("({hint}; please lower the quantity or remove it)")
            line += " " + advice.format(hint=stock_hint(item.stock))
        lines.append(line)
    return lines


def checkout_summary(view: CartView, delivery: DeliverySnapshot | None = None) -> str:
    question = _("Place this order?")
    if delivery is None:
        return f"{cart(view)}\n\n{question}"
    total = total_with_fee(view.total_amount, delivery) - discount_of(view)
    return "\n".join(
        [
            *_cart_lines(view),
            fee_line(delivery, view.currency),
            *promo_lines(view),
            "",
            delivery_details(delivery),
            "\n" + _total(total, view.currency),
            "\n" + question,
        ]
    )


def discount_of(view: CartView) -> int:
    """What the cart's promo code takes off now (0 without one, or when it is refused)."""
    return 0 if view.promo is None else view.promo.discount


def promo_lines(view: CartView) -> list[str]:
    """The cart's promo code as a line of its own: its discount, or why it is refused."""
    if view.promo is None:
        return []
    if view.promo.problem is not None:
        why = _(REFUSALS[view.promo.problem])
        return [_("🏷 {code}: {why}").format(code=html.quote(view.promo.code), why=why)]
    return [discount_line(view.promo.code, view.promo.discount, view.currency)]


def discount_line(code: str, discount: int, currency: str) -> str:
    """``🏷 Promo code SAVE10 = -4.50``: the discount as its own line (cart, order, staff)."""
    amount = money(discount, currency)
    return _("🏷 Promo code {code} = -{amount}").format(code=html.quote(code), amount=amount)


def order_discount(order: Order) -> list[str]:
    """The order's promo code line, if it used one."""
    if order.promo is None:
        return []
    return [discount_line(order.promo.code, order.promo.discount, order.currency)]


def fee_line(delivery: DeliverySnapshot, currency: str) -> str:
    return f"{html.quote(delivery.title)} = {money(delivery.fee, currency)}"


def method_button(method: DeliveryMethod, currency: str) -> str:
    fee = money(method.fee, currency) if method.fee else _("free")
    return f"{method.title} · {fee}"


def method_chosen(method: DeliveryMethod, currency: str) -> str:
    chosen = _("<b>Delivery:</b> {method}").format(
        method=html.quote(method_button(method, currency))
    )
    return f"{chosen}\n{html.quote(method.info)}" if method.info else chosen


def delivery_details(delivery: DeliverySnapshot) -> str:
    """Who receives the order, how and where; every part the customer typed is escaped."""
    lines = [
        _("<b>Delivery:</b> {method}").format(method=html.quote(delivery.title)),
        _("To: {name}, {phone}").format(
            name=html.quote(delivery.recipient_name), phone=html.quote(delivery.phone)
        ),
    ]
    if delivery.address is not None:
        lines.append(_("Address: {address}").format(address=html.quote(delivery.address)))
    if delivery.info:
        lines.append(html.quote(delivery.info))
    if delivery.note:
        lines.append(_("Note: {note}").format(note=html.quote(delivery.note)))
    return "\n".join(lines)


def same_details(delivery: DeliverySnapshot) -> str:
    if delivery.address:
        question = _("Send to the same address as last time?")
    else:
        question = _("Use the same details as last time?")
    return f"{question}\n\n{delivery_details(delivery)}"


def phone_saved(phone: str) -> str:
    return _("Thanks, we will call {phone} if needed.").format(phone=html.quote(phone))


def order_placed(order: Order, instructions: str | None, methods: Sequence[PaymentMethod]) -> str:
    placed = _("Order #{number} placed.").format(number=order.number)
    delivery = "" if order.delivery is None else f"{delivery_details(order.delivery)}\n\n"
    online = any(method is not PaymentMethod.MANUAL for method in methods)
    how = choose_payment() if online else html.quote(instructions or payment_instructions())
    return (
        f"<b>{placed}</b>\n"
        + "".join(f"{line}\n" for line in order_discount(order))
        + _("Total: {total}").format(total=money(order.total_amount, order.currency))
        + "\n"
        + _("Status: {status}").format(status=status(order.status))
        + f"\n\n{delivery}{how}"
    )


def pay_button(order: Order, method: PaymentMethod) -> str:
    total = money(order.total_amount, order.currency)
    if method is PaymentMethod.STARS:  # the total shows the ⭐
        return _("Pay {total}").format(total=total)
    return _("💳 Pay {total}").format(total=total)


def paying_by_hand(order: Order, instructions: str | None) -> str:
    title = _("Order #{number}").format(number=order.number)
    total = money(order.total_amount, order.currency)
    return f"<b>{title}</b>: {total}\n\n{html.quote(instructions or payment_instructions())}"


def order_button(order: Order) -> str:
    total = money(order.total_amount, order.currency)
    return f"#{order.number} · {total} · {status(order.status)}"


def orders(page: Page[Order]) -> str:
    title = "<b>{}</b>".format(_("Your orders"))
    if not page.items:
        empty = _("No orders yet. /catalog has everything we sell.")
        return f"{title}\n{empty}"
    pages = _("(page {page} of {pages})").format(page=page.page, pages=page.pages)
    return f"{title} {pages}"


def order(item: Order) -> str:
    lines = [
        "<b>{}</b>".format(_("Order #{number}").format(number=item.number)),
        _("Placed: {moment} UTC").format(moment=f"{item.created_at:%Y-%m-%d %H:%M}"),
        _("Status: {status}").format(status=status(item.status)),
    ]
    if paid := payment_state(item.payment.state):
        lines.append(_("Payment: {state}").format(state=paid))
    lines.append("")
    lines += [
        _line(line.name, line.quantity, line.line_total, item.currency) for line in item.products
    ]
    lines += order_discount(item)
    if item.delivery is not None:
        lines += [fee_line(item.delivery, item.currency), "", delivery_details(item.delivery)]
    lines.append("\n" + _total(item.total_amount, item.currency))
    return "\n".join(lines)


def profile(user: User) -> str:
    password = _("set") if user.has_password else _("not set")
    return "\n".join(
        [
            "<b>{}</b>".format(_("Your profile")),
            _("Name: {name}").format(name=html.quote(user.name)),
            _("Email: {email}").format(email=html.quote(user.email)),
            _("Password: {state}").format(state=password),
            _("Language: {language}").format(language=language_name(current_language())),
            _("Cart reminders: on") if user.cart_reminders else _("Cart reminders: off"),
        ]
    )


def cart_reminder(notice: CartReminder) -> str:
    """A cart left untouched, as it was when the reminder was queued."""
    lines = [
        _line(line.name, line.quantity, line.line_total, notice.currency) for line in notice.lines
    ]
    if notice.promo_code is not None:
        lines.append(discount_line(notice.promo_code, notice.discount, notice.currency))
    return "\n".join(
        [
            "<b>{}</b>".format(_("You left something in your cart")),
            *lines,
            "\n" + _total(notice.total_amount - notice.discount, notice.currency),
            _("Check out whenever you are ready. Reminders can be turned off in /profile."),
        ]
    )


def choose_language() -> str:
    return _("Which language should the shop speak to you?")


def _news(notice: OrderNews) -> dict[str, object]:
    return {
        "number": notice.order_number,
        "total": money(notice.total_amount, notice.currency),
    }


def order_status_notice(notice: OrderStatusNotice) -> str:
    return _("Your order #{number} ({total}) is now <b>{status}</b>.").format(
        **_news(notice), status=status(notice.status)
    )


def order_expired_notice(notice: OrderExpiredNotice) -> str:
    return _(
        "Your order #{number} ({total}) was not paid in time, so it is now <b>cancelled</b>."
    ).format(**_news(notice))


def late_payment_notice(notice: LatePaymentNotice) -> str:
    if notice.status is OrderStatus.CANCELLED:
        text = _(
            "Your payment of {total} came after order #{number} was cancelled: it will be refunded."
        )
    else:
        text = _(
            "Your payment of {total} came after order #{number} was paid already: "
            "it will be refunded."
        )
    return text.format(**_news(notice))


def refunded_notice(notice: RefundedNotice) -> str:
    return _("We refunded your payment of {total} for order #{number}.").format(**_news(notice))


# Core's refusals in the reader's language, by their reason (``DomainError.reason``: a
# stable key, so rewording core's English never changes a reply). A test checks that every
# reason core can raise has its text here. ``{placeholders}`` are filled from the error.
REFUSALS = {
    "no-such-product": N_("No such product."),
    "no-such-order": N_("No such order."),
    "no-such-user": N_("No such user."),
    "no-such-category": N_("No such category."),
    "no-such-broadcast": N_("No such broadcast."),
    "not-in-cart": N_("This product is not in your cart."),
    "no-photo": N_("This product has no photo."),
    # variants (core/catalog/variants/)
    "no-such-variant": N_("This option is no longer available."),
    "choose-variant": N_("{name} comes in options: choose one first."),
    "options-in-use": N_("A variant on sale uses a value these options drop: archive it first."),
    "variant-taken": N_("The product already has this variant."),
    "options-mismatch": N_("A variant needs one value of each of the product's options."),
    "too-many-variants": N_("A product has at most {most} variants."),
    "invalid-input": N_("The request has invalid fields."),
    "not-delivering": N_("This shop does not deliver: place the order without delivery details."),
    "wrong-currency": N_("This shop sells in {currency} only."),
    "invalid-photo": N_("The photo cannot be used."),
    "email-taken": N_("An account with this email already exists."),
    "telegram-account-taken": N_("This Telegram account is already linked to a shop account."),
    "version-conflict": N_("Someone else changed this just now; please try again."),
    "stock-out-of-range": N_("This change would take the stock below zero or past its most."),
    "line-limit": N_("At most {most} of one product per order."),
    "lines-limit": N_("A cart holds at most {most} different products."),
    "empty-cart": N_("Your cart is empty."),
    "out-of-stock": N_("Not enough stock for: {names}."),
    "product-unavailable": N_(
        "No longer available: {names}. Remove it from your cart to continue."
    ),
    "cart-changed": N_("Your cart changed since you reviewed it; please review it again."),
    "checkout-in-progress": N_("This order is still being placed; try again in a moment."),
    "illegal-transition": N_("An order that is {current} cannot become {target}."),
    "account-deactivated": N_("This account has been deactivated; ask the shop's admins."),
    "bad-credentials": N_("The email or password is wrong."),
    "bad-token": N_("The token is invalid or has expired."),
    "last-admin": N_("The shop needs an active admin: make another admin first."),
    "account-busy": N_("This account is being changed by someone else; try again."),
    "forbidden": N_("Your role may not do this."),
    "wrong-password": N_("The current password is wrong."),
    "broadcast-closed": N_("This broadcast can no longer be cancelled."),
    "no-refund-due": N_("No refund is due for this payment."),
    "categories-changed": N_("List every category exactly once, and nothing else."),
    "too-many-categories": N_("A shop has at most {most} categories."),
    "unfit-parent": N_("Only a top-level category that is not archived can have subcategories."),
    "payment-order-not-found": N_("We could not find this order."),
    "order-cancelled": N_("This order was cancelled."),
    "order-already-paid": N_("This order is already paid."),
    "order-expired": N_("This order was not paid in time. Please order again."),
    "price-changed": N_("The price changed. Please open the order and pay again."),
    "invoice-out-of-date": N_("This invoice is out of date. Please open the order and pay again."),
    "method-unavailable": N_("This payment method is not available."),
    "order-changed": N_("This order just changed. Please open it and try again."),
    "too-many-attempts": N_("Too many attempts"),
    "too-many-wrong-passwords": N_("Too many wrong passwords"),
    "too-many-sign-ups": N_("Too many sign-ups with emails that already have an account"),
    # the back office and imports (staff only; worded for completeness)
    "not-staff": N_("The back office is for the shop's staff."),
    "sku-taken": N_("Another product has this SKU."),
    "invalid-import": N_("The import file cannot be read."),
    "import-refused": N_("The import was refused: fix the rows it names and try again."),
    # several photos per product (core/catalog/photos.py)
    "no-such-photo": N_("The product has no such photo."),
    "too-many-photos": N_("A product has at most {most} photos."),
    "photos-changed": N_("List every photo of the product exactly once, and nothing else."),
    # customers' data (core/privacy)
    "delivery-outstanding": N_(
        "Your paid orders {numbers} are still to be delivered, to the details they name. "
        "Ask again once they have arrived."
    ),
    "staff-account": N_("This is a staff account: an admin makes it a customer account first."),
    "erasure-busy": N_("An order of yours is being placed or cancelled; try again in a minute."),
    # digital goods (core/digital)
    "stars-only": N_("Digital goods are sold for Telegram Stars only."),
    "stars-only-order": N_("Digital goods are paid in Telegram Stars only."),
    "digital-not-shipped": N_(
        "An order of digital goods only arrives in this chat: it needs no delivery details."
    ),
    "other-goods-kind": N_("This product delivers another kind of digital goods."),
    "invalid-keys": N_("These keys cannot be added: one key a line, printable text."),
    "invalid-goods-file": N_("This file cannot be sold: name it, and keep it within 50 MB."),
    "key-not-returned": N_("Only a returned key can be put back."),
    "stock-from-keys": N_("This product's stock is its free keys: add keys to raise it."),
    "digital-by-variant": N_("A product sold by variant cannot be digital goods."),
    "free-digital-goods": N_(
        "Digital goods cost at least one Telegram Star; this order would cost nothing. "
        "Please write to the shop."
    ),
    "no-such-key": N_("No such key."),
    "no-goods": N_("This order has no digital goods sent yet."),
    "no-goods-file": N_("This product's file is gone; please write to the shop."),
    # promo codes (core/promotions)
    "promo-unknown": N_("There is no such promo code."),
    "promo-inactive": N_("This promo code is not active."),
    "promo-not-started": N_("This promo code is not valid yet."),
    "promo-expired": N_("This promo code has expired."),
    "promo-used-up": N_("This promo code has been used up."),
    "promo-customer-limit": N_("You have already used this promo code."),
    "promo-first-order": N_("This promo code is for a first order only."),
    "promo-min-total": N_("Your order is below this promo code's minimum."),
    "promo-not-applicable": N_("This promo code applies to nothing in your cart."),
    "promo-code-taken": N_("Another promo code already has this name."),
    "promo-archived": N_("An archived promo code cannot be changed."),
    "promo-terms": N_("The promo code's terms do not fit together."),
    "no-such-promo": N_("No such promo code."),
}
# A field's problem, by the field's name in the input and the problem's kind (pydantic's
# error type, or core's own); ``{placeholders}`` are the values the kind names.
FIELD_NAMES = {
    "id": N_("Id"),
    "name": N_("Name"),
    "email": N_("Email"),
    "password": N_("Password"),
    "newPassword": N_("New password"),
    "oldPassword": N_("Old password"),
    "quantity": N_("Quantity"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "note": N_("Note"),
    "method": N_("Delivery"),
    "code": N_("Promo code"),
    "variant": N_("Option"),
}
FIELD_PROBLEMS = {
    "string_too_short": N_("must have at least {min_length} characters"),
    "string_too_long": N_("must have at most {max_length} characters"),
    "less_than_equal": N_("must be at most {le}"),
    "greater_than_equal": N_("must be at least {ge}"),
    "missing": N_("is required"),
    "email": N_("is not a valid email address"),
    "blank": N_("must not be blank"),
    "object_id": N_("must be a 24-character hexadecimal id"),
    "phone": N_("is not a valid phone number (with the country code: +44 20 7946 0958)"),
    "line_break": N_("must be one line"),
    "invisible_character": N_("must not contain control or invisible formatting characters"),
    "edge_joiner": N_("must not start or end with a zero-width joiner"),
    "leading_mark": N_("must not start with an accent or another combining mark"),
    "phone_letters": N_("must be digits only, without an extension"),
    "phone_extension": N_("has an extension, which a courier cannot dial: give a direct number"),
    "phone_premium": N_("is a premium-rate, pager or voicemail number: give one to call"),
    "not_offered": N_("is not a way this shop delivers"),
    "not_taken": N_("is not taken for this way of delivery"),
    "promo_code": N_("must be letters and digits only"),
}
FIELD_PROBLEM = N_("is not valid")
"""Any other kind (the bot's own input never has one)."""


def refusal(error: DomainError) -> str:
    """Why core said no, for the reader: a field's problem, or the whole refusal."""
    if isinstance(error, InvalidInput) and error.errors:
        return _field_problem(error.errors[0])
    if isinstance(error, TooManyAttempts):
        return _too_many(error)
    return _(REFUSALS[error.reason]).format(**_values(error))


def _values(error: DomainError) -> dict[str, object]:
    """What a refusal's text names."""
    if isinstance(error, OutOfStock | ProductUnavailable):
        return {"names": ", ".join(error.product_names) or _("a product")}
    if isinstance(error, IllegalTransition):
        current, target = OrderStatus(error.current), OrderStatus(error.target)
        return {"current": status(current), "target": status(target)}
    if isinstance(error, CartLimit | TooManyCategories | TooManyVariants):
        return {"most": error.most}
    if isinstance(error, WrongCurrency):
        return {"currency": error.currency}
    if isinstance(error, DeliveryOutstanding):
        return {"numbers": order_numbers(error.numbers)}
    if isinstance(error, ChooseVariant):
        return {"name": error.name}
    return {}


def order_numbers(numbers: Sequence[int]) -> str:
    return ", ".join(f"#{number}" for number in numbers)


def _too_many(error: TooManyAttempts) -> str:
    what = _(REFUSALS[error.reason])
    if error.retry_after < 60:
        seconds = error.retry_after
        text = ngettext(
            "{what}; try again in {count} second.",
            "{what}; try again in {count} seconds.",
            seconds,
        )
        return text.format(what=what, count=seconds)
    minutes = -(-error.retry_after // 60)
    text = ngettext(
        "{what}; try again in {count} minute.", "{what}; try again in {count} minutes.", minutes
    )
    return text.format(what=what, count=minutes)


def _field_problem(field: FieldError) -> str:
    """``Email: is not a valid email address.``, in the reader's language."""
    detail = _(FIELD_PROBLEMS.get(field.kind, FIELD_PROBLEM)).format(**field.context) + "."
    if not field.loc:
        return detail
    name = str(field.loc[-1])
    label = _(FIELD_NAMES[name]) if name in FIELD_NAMES else name
    return f"{label}: {detail}"
