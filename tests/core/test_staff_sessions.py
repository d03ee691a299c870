"""Back-office sessions: staff only, renewed past half their life, ended at once by
signing out, and kept apart from the API's tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.accounts.access import SYSTEM
from core.accounts.commands import Credentials
from core.accounts.errors import AuthenticationFailed, BadToken, NotStaff
from core.accounts.models import Role
from core.accounts.staff_sessions import MAX_SESSION
from core.base import clock
from core.shop import Shop
from tests.clocks import FakeClock
from tests.factories import NewUser
from tests.settings import ADDRESS

PASSWORD = "correct horse"


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock(clock.now())
    monkeypatch.setattr(clock, "now", fake)
    return fake


@pytest.fixture
def ttl(shop: Shop) -> timedelta:
    return timedelta(minutes=shop.settings.staff_session_minutes)


async def _staff_token(shop: Shop, new_user: NewUser, role: Role = Role.OPERATOR) -> str:
    user = await new_user(password=PASSWORD)
    await shop.accounts.set_role(SYSTEM, user.id, role)
    credentials = Credentials(email=user.email, password=PASSWORD)
    _, issued = await shop.staff_sessions.sign_in(credentials, address=ADDRESS)
    return issued.token


async def test_customers_cannot_start_a_session(shop: Shop, new_user: NewUser) -> None:
    user = await new_user(password=PASSWORD)
    with pytest.raises(NotStaff):
        await shop.staff_sessions.sign_in(
            Credentials(email=user.email, password=PASSWORD), address=ADDRESS
        )


async def test_session_and_api_tokens_are_not_interchangeable(
    shop: Shop, new_user: NewUser
) -> None:
    token = await _staff_token(shop, new_user)
    with pytest.raises(AuthenticationFailed):
        await shop.users.from_token(token)
    user = await new_user(password=PASSWORD)
    await shop.accounts.set_role(SYSTEM, user.id, Role.ADMIN)
    _, api_token = await shop.users.log_in(
        Credentials(email=user.email, password=PASSWORD), address=ADDRESS
    )
    with pytest.raises(BadToken):
        await shop.staff_sessions.resume(api_token.token)


async def test_signing_out_ends_every_token_of_the_session_at_once(
    shop: Shop, new_user: NewUser, frozen: FakeClock, ttl: timedelta
) -> None:
    token = await _staff_token(shop, new_user)
    frozen.moment += ttl * 0.6
    renewed = (await shop.staff_sessions.resume(token)).renewed
    assert renewed is not None
    other = await _staff_token(shop, new_user)
    await shop.staff_sessions.sign_out(token)
    for ended in (token, renewed.token):
        with pytest.raises(BadToken):
            await shop.staff_sessions.resume(ended)
    assert (await shop.staff_sessions.resume(other)).user.role is Role.OPERATOR
    await shop.staff_sessions.sign_out(token)  # again: nothing more to end
    await shop.staff_sessions.sign_out("not a token")


async def test_a_session_is_renewed_only_past_half_its_life(
    shop: Shop, new_user: NewUser, frozen: FakeClock, ttl: timedelta
) -> None:
    token = await _staff_token(shop, new_user)
    frozen.moment += ttl * 0.4
    young = await shop.staff_sessions.resume(token)
    assert young.renewed is None
    frozen.moment += ttl * 0.2
    old = await shop.staff_sessions.resume(token)
    assert old.renewed is not None and old.session_id == young.session_id
    assert old.renewed.expires_at == frozen.moment + ttl
    frozen.moment += ttl * 0.5
    with pytest.raises(BadToken):
        await shop.staff_sessions.resume(token)
    assert (await shop.staff_sessions.resume(old.renewed.token)).user.role is Role.OPERATOR


async def test_revocations_are_kept_while_a_token_could_use_them(
    shop: Shop, new_user: NewUser, frozen: FakeClock, ttl: timedelta
) -> None:
    token = await _staff_token(shop, new_user)
    await shop.staff_sessions.sign_out(token)
    assert await shop.staff_sessions.prune() == 0
    frozen.moment += ttl + timedelta(seconds=1)
    assert await shop.staff_sessions.prune() == 1
    with pytest.raises(BadToken):
        await shop.staff_sessions.resume(token)


async def test_a_session_ends_when_its_account_stops_being_staff(
    shop: Shop, new_user: NewUser
) -> None:
    token = await _staff_token(shop, new_user)
    session = await shop.staff_sessions.resume(token)
    await shop.store.users.update_one({"_id": session.user.id}, {"$set": {"role": "user"}})
    with pytest.raises(NotStaff):
        await shop.staff_sessions.resume(token)


async def test_a_session_kept_in_use_still_ends_a_day_after_signing_in(
    shop: Shop, new_user: NewUser, frozen: FakeClock, ttl: timedelta
) -> None:
    started = frozen.moment
    token = await _staff_token(shop, new_user)
    while frozen.moment + ttl * 0.6 < started + MAX_SESSION:
        frozen.moment += ttl * 0.6
        renewed = (await shop.staff_sessions.resume(token)).renewed
        assert renewed is not None and renewed.expires_at <= started + MAX_SESSION
        token = renewed.token
    frozen.moment = started + MAX_SESSION
    with pytest.raises(BadToken):
        await shop.staff_sessions.resume(token)
