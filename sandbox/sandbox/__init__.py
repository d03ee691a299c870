"""An offline Telegram Bot API for testing bots end to end.

:class:`Sandbox` keeps the state and plays Telegram's user side, :class:`SandboxServer` serves
the Bot API over HTTP, :class:`FakeUser` is the test's user (:class:`FakeGroup` a group of them)
and :mod:`sandbox.testing` has the pieces fixtures are made of. See ``sandbox/README.md``.
"""

from sandbox.driver import FakeGroup, FakeUser
from sandbox.errors import ApiError, WaitTimeout
from sandbox.faults import Faults
from sandbox.models import CallbackQuery, Group, Message, User
from sandbox.payments import PaymentResult, PreCheckout
from sandbox.server import SandboxServer
from sandbox.state import DEFAULT_TOKEN, Sandbox

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "CallbackQuery",
    "FakeGroup",
    "FakeUser",
    "Faults",
    "Group",
    "Message",
    "PaymentResult",
    "PreCheckout",
    "Sandbox",
    "SandboxServer",
    "User",
    "WaitTimeout",
]
