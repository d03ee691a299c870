"""Digital goods in the chat: a line's keys as text to copy, or its file as a document,
sent by the notifier once an order is paid and again when the customer asks (/orders).

Keys are read (and unsealed) at the moment they are sent and never logged; the file goes
by the ``file_id`` Telegram gave this bot for it, or is uploaded once from GridFS and its
``file_id`` kept (``GoodsFiles.remember_on_telegram``).
"""

from __future__ import annotations

from aiogram import Bot, html
from aiogram.types import BufferedInputFile, InlineKeyboardButton, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import ResendGoods
from core.base.errors import Missing, NotFound
from core.catalog.models import GoodsKind, Product, TelegramFile
from core.digital.files import GoodsFiles
from core.digital.models import LineGoods
from core.sales.models import CartView, Order, OrderStatus, PaymentMethod


def keys_text(order_number: int, goods: LineGoods) -> str:
    title = _("Order #{number}: {name}").format(number=order_number, name=html.quote(goods.name))
    heading = _("Your key:") if len(goods.keys) == 1 else _("Your keys:")
    keys = "\n".join(f"<code>{html.quote(key)}</code>" for key in goods.keys)
    hint = _("Tap a key to copy it. /orders sends it again.")
    return f"<b>{title}</b>\n{heading}\n{keys}\n\n{hint}"


def file_caption(order_number: int, goods: LineGoods) -> str:
    title = _("Order #{number}: {name}").format(number=order_number, name=html.quote(goods.name))
    return f"<b>{title}</b>\n" + _("Your file is attached. /orders sends it again.")


def goods_text(order_number: int, goods: LineGoods) -> str:
    """The message with a line's keys, or the caption of its file."""
    if goods.kind is GoodsKind.KEYS:
        return keys_text(order_number, goods)
    return file_caption(order_number, goods)


async def send_goods(
    bot: Bot, files: GoodsFiles, chat_id: int, goods: LineGoods, text: str
) -> Message:
    """Send one line's goods (``goods_text``: ``text``) to ``chat_id``."""
    if goods.kind is GoodsKind.KEYS:
        return await bot.send_message(chat_id, text)
    if goods.file is None:
        raise NotFound(Missing.GOODS_FILE)
    known = goods.file.telegram.get(str(bot.id))
    if known is not None:
        return await bot.send_document(chat_id, known.file_id, caption=text)
    data = await files.content(goods.file)
    upload = BufferedInputFile(data, filename=goods.file.name)
    sent = await bot.send_document(chat_id, upload, caption=text)
    if sent.document is not None:
        telegram = TelegramFile(
            file_id=sent.document.file_id, file_unique_id=sent.document.file_unique_id
        )
        await files.remember_on_telegram(goods.product_id, goods.file, bot.id, telegram)
    return sent


def product_lines(product: Product) -> list[str]:
    """What a digital product's card says of how it is delivered."""
    if product.digital is None:
        return []
    if product.digital.kind is GoodsKind.KEYS:
        return [_("Digital: a unique key, sent in this chat once paid in Telegram Stars")]
    return [_("Digital: a file, sent in this chat once paid in Telegram Stars")]


def resend_row(order: Order) -> list[list[InlineKeyboardButton]]:
    """Under a customer's order whose goods were sent: a button to have them sent again."""
    if order.goods_sent_at is None or order.status is OrderStatus.CANCELLED:
        return []
    data = ResendGoods(order_id=str(order.id)).pack()
    return [[InlineKeyboardButton(text=_("📩 Send my goods again"), callback_data=data)]]


def order_lines(order: Order) -> list[str]:
    """What the order's screen (the customer's, and staff's card) says of its goods."""
    if not any(line.digital for line in order.products):
        return []
    if order.goods_sent_at is not None:
        when = f"{order.goods_sent_at:%Y-%m-%d %H:%M}"
        return [_("Digital goods: sent to the chat at {moment} UTC").format(moment=when)]
    if order.status is OrderStatus.CANCELLED:
        return []
    return [_("Digital goods: sent in this chat as soon as the order is paid")]


def cart_note(cart: CartView) -> str:
    """Said in the checkout summary of a cart with digital goods."""
    if not any(item.digital for item in cart.items):
        return ""
    return _(
        "Digital goods are paid in Telegram Stars only, and arrive in this chat as soon as you pay."
    )


def stars_only(order: Order, methods: tuple[PaymentMethod, ...]) -> str:
    """Telegram's rule, said at checkout: digital goods are paid in Telegram Stars."""
    if not any(line.digital for line in order.products):
        return ""
    if PaymentMethod.STARS not in methods:
        return _("Digital goods are paid in Telegram Stars only, which this shop does not take.")
    return _("Digital goods are paid in Telegram Stars only.")
