"""The conversations' steps, kept per user in MongoDB so a restart keeps each user's place."""

from aiogram.fsm.state import State, StatesGroup


class Signup(StatesGroup):
    name = State()
    email = State()


class ProfileForm(StatesGroup):
    name = State()
    password = State()


class DeliveryForm(StatesGroup):
    """Delivery details before the checkout summary (``bot/handlers/delivery.py``)."""

    reuse = State()
    method = State()
    phone = State()
    address = State()
    note = State()


class BroadcastForm(StatesGroup):
    text = State()


class PromoForm(StatesGroup):
    """A promo code typed for the cart (``bot/handlers/promo.py``)."""

    code = State()
