"""What the bot says: every message text, rendered from core's models as escaped HTML."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import html

from core.delivery import DeliveryMethod, total_with_fee
from core.models import (
    CartView,
    DeliverySnapshot,
    Order,
    Page,
    PaymentMethod,
    PaymentState,
    Product,
    User,
)

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
STARS = "XTR"
LOW_STOCK = 5
ALERT_LIMIT = 200
LIST_NAME_LIMIT = 40
CAPTION_DESCRIPTION = 700  # with a name of at most 200, within a caption's 1024 characters

HELP = (
    "<b>How to shop here</b>\n"
    "/start: main menu (or sign up)\n"
    "/catalog: browse products; or just type to search by name\n"
    "/cart: your cart and checkout\n"
    "/orders: your orders and their status\n"
    "/profile: your name, email and password\n"
    "/cancel: leave whatever you are doing"
)
ASK_NAME = "Welcome to the shop! What name should we use for your orders?"
ASK_NEW_NAME = "Send your new name, or /cancel."
ASK_PASSWORDS = (
    "Send your current password on the first line and the new one (8 to 72 characters) on "
    "the second, or /cancel. The message is deleted right after."
)
ASK_NEW_PASSWORD = (
    "Send a new password (8 to 72 characters), or /cancel. With it you can also sign in "  # noqa: S105
    "to the shop's website with your email. The message is deleted right after."
)
PASSWORD_SET = "Password saved. Other sign-ins have been signed out."  # noqa: S105
CANCELLED = "Cancelled."
NOTHING_TO_CANCEL = "Nothing to cancel."
SIGN_UP_FIRST = "Please send /start to sign up first."
STALE_BUTTON = "This button is out of date."
CART_CHANGED = "Your cart changed since this summary. Here it is again."
EMPTY_CATALOG = "Nothing matches. Try another search, or /catalog for everything."
EMPTY_CATEGORY = "Nothing here for now. Try another category, or type a name to search."
CATALOG = "Catalog"
OTHER = "Other"
NOT_UNDERSTOOD = "Sorry, I did not get that. /help lists what I can do."
UNEXPECTED = "Something went wrong on our side. Please try again."
CHOOSE_PAYMENT = "Pay now with a button below."
PAY_BY_HAND = "I will pay by hand"
INVOICE_REFUSED = (
    "Telegram cannot take this payment (the total may be too small or too large for "
    "online payment). Please pay by hand or contact us."
)
PAYMENT_STATES = {
    PaymentState.PAID: "paid",
    PaymentState.REFUND_DUE: "to be refunded",
    PaymentState.REFUNDED: "refunded",
}
ASK_METHOD = "How should your order reach you?"
ASK_PHONE = (
    "Which phone number can we call about this order? Share it with the button below, or "
    "type it with the country code (+44 20 7946 0958). /cancel to stop."
)
SHARE_PHONE = "📱 Share my phone number"
NOT_YOUR_CONTACT = "Please share your own number with the button below, or type it."
ASK_ADDRESS = (
    "Where should we deliver? Send the address in one message: street and house, flat, "
    "city, postcode. /cancel to stop."
)
USE_THE_BUTTONS = "Please answer with the buttons above, or /cancel."
ASK_NOTE = "Send your note for the shop (up to 500 characters), or /cancel."
DETAILS_CHANGED = "Your delivery details changed since this summary. Please check out again."
LOW_STOCK_ALERT = "Low stock: <b>{name}</b> has {stock} left (alert at {limit} or fewer)."


def money(amount: int, currency: str) -> str:
    """Minor units as people read them: ``money(450, "USD") == "$4.50"``; Telegram Stars
    are whole: ``money(50, "XTR") == "⭐50"``."""
    if currency == STARS:
        return f"⭐{amount:,}"
    value = f"{amount // 100:,}.{amount % 100:02d}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{value}" if symbol else f"{value} {currency}"


def stock_hint(stock: int) -> str:
    if stock <= 0:
        return "sold out"
    return f"only {stock} left" if stock <= LOW_STOCK else "in stock"


def product_button(product: Product) -> str:
    return (
        f"{product.name} · {money(product.price, product.currency)} · {stock_hint(product.stock)}"
    )


def ask_email(name: str) -> str:
    return f"Thanks, {html.quote(name)}. Now your email address, for order updates."


def welcome(user: User) -> str:
    return f"Hello, {html.quote(user.name)}! What would you like to do?"


def shelves() -> str:
    return f"<b>{CATALOG}</b>\nPick a category, or type a name to search everything:"


def shelf_button(name: str, products: int) -> str:
    return f"{name} ({products})"


def catalog(page: Page[Product], query: str, shelf: tuple[str, str] | None = None) -> str:
    """A page of products: of a search, of everything, or of a category (``shelf``: its
    name and description)."""
    name, about = shelf or (CATALOG, "")
    title = f"Search: {html.quote(query)}" if query else html.quote(name)
    lines = [f"<b>{title}</b>"]
    if page.items:
        lines[0] += f" (page {page.page} of {page.pages})"
    if about and not query:
        lines.append(html.quote(about))
    if page.items:
        lines.append("Pick a product:")
    else:
        lines.append(EMPTY_CATEGORY if shelf and not query else EMPTY_CATALOG)
    return "\n".join(lines)


def product(item: Product, quantity: int) -> str:
    """The card's text; under a photo it is a caption, so the description is cut to fit."""
    lines = [f"<b>{html.quote(item.name)}</b>"]
    if item.description:
        limit = CAPTION_DESCRIPTION if item.photo else len(item.description)
        lines.append(html.quote(clip(item.description, limit)))
    lines += [
        "",
        f"Price: {money(item.price, item.currency)}",
        f"Availability: {stock_hint(item.stock)}",
        f"Quantity: {quantity}",
    ]
    return "\n".join(lines)


def clip(text: str, limit: int = ALERT_LIMIT) -> str:
    """``text`` cut to fit a callback answer (plain text, at most 200 characters)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name(name: str) -> str:
    """A product name in a list: short enough that 50 lines fit one message, escaped."""
    return html.quote(clip(name, LIST_NAME_LIMIT))


def added(name: str, quantity: int) -> str:
    return clip(f"Added {quantity} x {name} to your cart.")


def cart(view: CartView) -> str:
    if view.is_empty:
        return "<b>Your cart</b>\nYour cart is empty. /catalog has everything we sell."
    return "\n".join(
        [*_cart_lines(view), f"\n<b>Total: {money(view.total_amount, view.currency)}</b>"]
    )


def _cart_lines(view: CartView) -> list[str]:
    lines = ["<b>Your cart</b>"]
    for item in view.items:
        line = f"{_name(item.name)} x {item.quantity} = {money(item.line_total, item.currency)}"
        if not item.available:
            line += f" ({stock_hint(item.stock)}; please lower the quantity or remove it)"
        lines.append(line)
    return lines


def checkout_summary(view: CartView, delivery: DeliverySnapshot | None = None) -> str:
    if delivery is None:
        return f"{cart(view)}\n\nPlace this order?"
    total = total_with_fee(view.total_amount, delivery)
    return "\n".join(
        [
            *_cart_lines(view),
            fee_line(delivery, view.currency),
            "",
            delivery_details(delivery),
            f"\n<b>Total: {money(total, view.currency)}</b>",
            "\nPlace this order?",
        ]
    )


def fee_line(delivery: DeliverySnapshot, currency: str) -> str:
    return f"{html.quote(delivery.title)} = {money(delivery.fee, currency)}"


def method_button(method: DeliveryMethod, currency: str) -> str:
    return f"{method.title} · {money(method.fee, currency) if method.fee else 'free'}"


def method_chosen(method: DeliveryMethod, currency: str) -> str:
    chosen = f"<b>Delivery:</b> {html.quote(method_button(method, currency))}"
    return f"{chosen}\n{html.quote(method.info)}" if method.info else chosen


def delivery_details(delivery: DeliverySnapshot) -> str:
    """Who receives the order, how and where; every part the customer typed is escaped."""
    lines = [
        f"<b>Delivery:</b> {html.quote(delivery.title)}",
        f"To: {html.quote(delivery.recipient_name)}, {html.quote(delivery.phone)}",
    ]
    if delivery.address is not None:
        lines.append(f"Address: {html.quote(delivery.address)}")
    if delivery.info:
        lines.append(html.quote(delivery.info))
    if delivery.note:
        lines.append(f"Note: {html.quote(delivery.note)}")
    return "\n".join(lines)


def same_details(delivery: DeliverySnapshot) -> str:
    question = "Send to the same address" if delivery.address else "Use the same details"
    return f"{question} as last time?\n\n{delivery_details(delivery)}"


def phone_saved(phone: str) -> str:
    return f"Thanks, we will call {html.quote(phone)} if needed."


def order_placed(order: Order, payment_instructions: str, methods: Sequence[PaymentMethod]) -> str:
    online = any(method is not PaymentMethod.MANUAL for method in methods)
    delivery = "" if order.delivery is None else f"{delivery_details(order.delivery)}\n\n"
    return (
        f"<b>Order #{order.number} placed.</b>\n"
        f"Total: {money(order.total_amount, order.currency)}\n"
        f"Status: {order.status.value}\n\n"
        f"{delivery}"
        f"{CHOOSE_PAYMENT if online else html.quote(payment_instructions)}"
    )


def pay_button(order: Order, method: PaymentMethod) -> str:
    total = money(order.total_amount, order.currency)
    return f"Pay {total}" if method is PaymentMethod.STARS else f"💳 Pay {total}"  # ⭐ in total


def paying_by_hand(order: Order, payment_instructions: str) -> str:
    return (
        f"<b>Order #{order.number}</b>: {money(order.total_amount, order.currency)}\n\n"
        f"{html.quote(payment_instructions)}"
    )


def order_button(order: Order) -> str:
    return f"#{order.number} · {money(order.total_amount, order.currency)} · {order.status.value}"


def orders(page: Page[Order]) -> str:
    if not page.items:
        return "<b>Your orders</b>\nNo orders yet. /catalog has everything we sell."
    return f"<b>Your orders</b> (page {page.page} of {page.pages})"


def order(item: Order) -> str:
    lines = [
        f"<b>Order #{item.number}</b>",
        f"Placed: {item.created_at:%Y-%m-%d %H:%M} UTC",
        f"Status: {item.status.value}",
    ]
    if state := PAYMENT_STATES.get(item.payment.state):
        lines.append(f"Payment: {state}")
    lines.append("")
    lines += [
        f"{_name(line.name)} x {line.quantity} = {money(line.line_total, item.currency)}"
        for line in item.products
    ]
    if item.delivery is not None:
        lines += [fee_line(item.delivery, item.currency), "", delivery_details(item.delivery)]
    lines.append(f"\n<b>Total: {money(item.total_amount, item.currency)}</b>")
    return "\n".join(lines)


def profile(user: User) -> str:
    password = "set" if user.has_password else "not set"
    return (
        "<b>Your profile</b>\n"
        f"Name: {html.quote(user.name)}\n"
        f"Email: {html.quote(user.email)}\n"
        f"Password: {password}"
    )
