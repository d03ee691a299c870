"""The profile: change the name, set a password that then opens the HTTP API's sign-in."""

from __future__ import annotations

from datetime import timedelta

from core.accounts.commands import Credentials, PasswordChange
from core.base import clock
from core.shop import Shop
from sandbox import FakeUser
from tests.bot.chat import Customer, tap
from tests.settings import ADDRESS


async def _send_password(player: FakeUser, text: str) -> str:
    """Send ``text``; the bot deletes it at once, then replies: the reply's text."""
    sent = await player.send(text)
    assert sent is not None and sent.deleted and not sent.from_bot
    reply = await player.wait_for(lambda message: message.message_id > sent.message_id)
    return reply.text or ""


async def test_change_name_and_set_then_change_password(
    shop: Shop, customer: Customer, running_bot: None
) -> None:
    alice, account = await customer("Alice")
    await alice.send("/profile")
    await tap(alice, "Change name")
    profile = await alice.send("Alice <B>")
    assert profile is not None and "Name: Alice <B>" in (profile.text or "")
    assert "Password: not set" in (profile.text or "")

    await tap(alice, "Set password")
    short = await _send_password(alice, "short")
    assert short == "New password: must have at least 8 characters."
    saved = await _send_password(alice, "first password")
    assert saved.startswith("Password saved.") and "Password: set" in saved
    await tap(alice, "Change password")
    wrong = await _send_password(alice, "not it\nsecond password")
    assert wrong == "The current password is wrong."
    await _send_password(alice, "first password\nsecond password")

    credentials = Credentials(email=account.email, password="second password")
    assert (await shop.users.authenticate(credentials)).name == "Alice <B>"
    assert not [m for m in alice.messages if not m.from_bot and "password" in (m.text or "")]


async def test_wrong_current_passwords_are_limited_like_logins(
    shop: Shop, customer: Customer, running_bot: None
) -> None:
    alice, account = await customer("Alice")
    await shop.users.change_password(
        account.id, PasswordChange(new_password="first password"), address=ADDRESS
    )
    await alice.send("/profile")
    await tap(alice, "Change password")
    tries = shop.settings.login_failures_per_email
    for _ in range(tries):
        assert await _send_password(alice, "guess\nsecond password") == (
            "The current password is wrong."
        )
    [key] = [d["_id"] for d in await shop.store.throttles.find({"failures": tries}).to_list()]
    assert key == f"login:{account.email}|telegram:{alice.id}"  # the Telegram user's tries
    later = clock.now() + timedelta(minutes=15)  # as if many more failures had earned it
    await shop.store.throttles.update_one({"_id": key}, {"$set": {"nextAt": later}})
    refused = await _send_password(alice, "first password\nsecond password")
    assert refused == "Too many wrong passwords; try again in 15 minutes."
    credentials = Credentials(email=account.email, password="first password")
    assert (await shop.users.authenticate(credentials)).id == account.id
