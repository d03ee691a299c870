"""Staff accounts: roles, deactivation, the last active admin, concurrency and crashes."""

import asyncio
from datetime import timedelta

import pytest
from bson import ObjectId

from core.accounts.access import SYSTEM, Actor
from core.accounts.commands import (
    AccountChange,
    AdminAccount,
    Credentials,
    TelegramSignup,
    UserQuery,
)
from core.accounts.errors import (
    AccountBusy,
    AccountDeactivated,
    AuthenticationFailed,
    LastAdmin,
    TelegramAccountTaken,
)
from core.accounts.models import Role, User
from core.accounts.roles import Accounts
from core.base import clock
from core.base.errors import Forbidden
from core.shop import Shop
from tests.core.crashes import LEASE, dying_store, run_until_killed
from tests.factories import NewUser
from tests.settings import ADDRESS

DEACTIVATE = AccountChange(active=False)
DEMOTE = AccountChange(role=Role.USER)


async def _admins(shop: Shop, count: int, new_user: NewUser) -> list[User]:
    return [
        await shop.accounts.set_role(SYSTEM, (await new_user(name=f"Admin {i}")).id, Role.ADMIN)
        for i in range(count)
    ]


async def _assert_admins_counted(shop: Shop) -> set[ObjectId]:
    """The ``admins`` document names exactly the active admins; returns them."""
    cursor = shop.store.users.find({"role": "admin", "active": {"$ne": False}}, {"_id": 1})
    actual = {document["_id"] for document in await cursor.to_list()}
    registry = await shop.store.staff.find_one({"_id": "admins"})
    assert registry is not None
    assert (set(registry["ids"]), registry["count"]) == (actual, len(actual))
    assert await shop.store.users.count_documents({"journal": {"$exists": True}}) == 0
    return actual


async def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(
    shop: Shop, new_user: NewUser
) -> None:
    ada, bob = await _admins(shop, 2, new_user)
    demoted = await shop.accounts.change(Actor.of(ada), bob.id, AccountChange(role=Role.OPERATOR))
    assert demoted.role is Role.OPERATOR

    for change in (DEMOTE, DEACTIVATE, AccountChange(role=Role.OPERATOR, active=True)):
        with pytest.raises(LastAdmin):
            await shop.accounts.change(Actor.of(ada), ada.id, change)
    assert (await shop.users.get(ada.id)).is_active_admin
    assert await _assert_admins_counted(shop) == {ada.id}


async def test_only_admins_change_accounts(shop: Shop, new_user: NewUser) -> None:
    alice = await new_user()
    operator = await shop.accounts.set_role(SYSTEM, (await new_user()).id, Role.OPERATOR)
    for actor in (Actor.of(alice), Actor.of(operator)):
        with pytest.raises(Forbidden):
            await shop.accounts.change(actor, alice.id, DEACTIVATE)
    with pytest.raises(Forbidden):
        await shop.accounts.list(Actor.of(alice), UserQuery())
    assert (await shop.accounts.list(Actor.of(operator), UserQuery())).total == 2


@pytest.mark.parametrize("admins", [2, 5])
async def test_admins_demoting_each_other_at_once_leave_one(
    shop: Shop, new_user: NewUser, admins: int
) -> None:
    team = await _admins(shop, admins, new_user)
    changes = [
        shop.accounts.change(Actor.of(actor), target.id, change)
        for change in (DEMOTE, DEACTIVATE)
        for actor, target in zip(team, team[1:] + team[:1], strict=True)
    ]
    outcomes = await asyncio.gather(*changes, return_exceptions=True)

    # refused: the last admin, or an account another of these changes was changing
    assert {type(o) for o in outcomes if isinstance(o, Exception)} <= {LastAdmin, AccountBusy}
    assert len(await _assert_admins_counted(shop)) == 1


async def test_a_deactivated_account_cannot_sign_in_its_tokens_end_and_the_bot_forgets_it(
    shop: Shop, new_user: NewUser
) -> None:
    alice = await new_user(password="correct horse")
    await shop.store.users.update_one({"_id": alice.id}, {"$set": {"telegramId": 77}})
    credentials = Credentials(email=alice.email, password="correct horse")
    _, issued = await shop.users.log_in(credentials, address=ADDRESS)

    off = await shop.accounts.change(SYSTEM, alice.id, DEACTIVATE)
    assert (off.active, off.role) == (False, Role.USER)
    with pytest.raises(AuthenticationFailed):
        await shop.users.from_token(issued.token)
    with pytest.raises(AccountDeactivated):
        await shop.users.log_in(credentials, address=ADDRESS)
    assert await shop.users.by_telegram(77) is None

    await shop.accounts.change(SYSTEM, alice.id, AccountChange(active=True))
    user, _ = await shop.users.log_in(credentials, address=ADDRESS)
    assert user.active
    assert await shop.users.by_telegram(77) == user
    with pytest.raises(AuthenticationFailed):
        await shop.users.from_token(issued.token)  # tokens from before stay dead


async def test_a_change_to_nothing_keeps_the_sessions(shop: Shop, new_user: NewUser) -> None:
    alice = await new_user()
    same = await shop.accounts.change(SYSTEM, alice.id, AccountChange(role=Role.USER, active=True))
    assert same.session_version == alice.session_version


async def test_admins_find_accounts_by_name_email_telegram_id_role_and_activity(
    shop: Shop, new_user: NewUser
) -> None:
    alice = await new_user("Alice Smith", email="alice@example.com")
    bob = await shop.users.sign_up_telegram(
        TelegramSignup(telegram_id=4242, name="Bob", email="bob@shop.example")
    )
    olga = await shop.accounts.set_role(SYSTEM, (await new_user("Olga")).id, Role.OPERATOR)
    await shop.accounts.change(SYSTEM, alice.id, DEACTIVATE)

    async def found(**query: object) -> list[str]:
        page = await shop.accounts.list(SYSTEM, UserQuery.model_validate(query))
        return [user.name for user in page.items]

    assert await found(q="smith") == ["Alice Smith"]
    assert await found(q="SHOP.example") == ["Bob"]
    assert await found(q="4242") == ["Bob"]
    assert await found(q=".*") == []  # words, not patterns
    assert await found(role="operator") == [olga.name]
    assert await found(active="false") == ["Alice Smith"]
    assert await found(active="true") == ["Olga", "Bob"]
    assert bob.telegram_id == 4242


async def test_create_admin_links_the_telegram_account(shop: Shop, new_user: NewUser) -> None:
    account = AdminAccount(name="Root", email="root@example.com", password="pw 12345678")
    admin = await shop.accounts.create_admin(account.model_copy(update={"telegram_id": 555}))
    assert (admin.role, admin.telegram_id, admin.active) == (Role.ADMIN, 555, True)

    await shop.users.sign_up_telegram(
        TelegramSignup(telegram_id=666, name="Eve", email="eve@example.com")
    )
    taken = account.model_copy(update={"telegram_id": 666})
    with pytest.raises(TelegramAccountTaken):
        await shop.accounts.create_admin(taken)

    # the command line brings back a deactivated admin (the way back in when locked out)
    await shop.accounts.create_admin(
        AdminAccount(name="Sub", email="sub@example.com", password="pw 12345678")
    )
    await shop.accounts.change(SYSTEM, admin.id, DEACTIVATE)
    assert (await shop.accounts.create_admin(account)).is_active_admin


async def test_admins_are_counted_for_a_shop_from_before_they_were(
    shop: Shop, new_user: NewUser
) -> None:
    ada, bob = await new_user(), await new_user()
    await shop.store.users.update_many(
        {"_id": {"$in": [ada.id, bob.id]}}, {"$set": {"role": "admin"}}
    )
    await shop.store.staff.delete_many({})
    await shop.accounts.change(SYSTEM, bob.id, DEMOTE)
    with pytest.raises(LastAdmin):
        await shop.accounts.change(SYSTEM, ada.id, DEMOTE)
    assert await _assert_admins_counted(shop) == {ada.id}


@pytest.mark.parametrize(
    "change", [DEMOTE, DEACTIVATE, AccountChange(role=Role.ADMIN, active=True)]
)
async def test_a_change_killed_at_every_write_is_finished_or_undone(
    shop: Shop, new_user: NewUser, change: AccountChange
) -> None:
    ada = (await _admins(shop, 1, new_user))[0]
    for writes in range(10):
        target = await new_user()
        if change.role is not Role.ADMIN:
            await shop.accounts.set_role(SYSTEM, target.id, Role.ADMIN)
        else:
            await shop.accounts.change(SYSTEM, target.id, DEACTIVATE)
        staff = Accounts(dying_store(shop.store, writes), shop.users, LEASE)
        killed = await run_until_killed(lambda: staff.change(SYSTEM, target.id, change))  # noqa: B023
        assert await shop.recover() == 0  # a live change is left alone
        await shop.recover(at=clock.now() + LEASE + timedelta(seconds=1))

        admins = await _assert_admins_counted(shop)
        assert ada.id in admins
        if not killed:
            break
    else:
        pytest.fail("the change never finished within the write budget")
    # the last admin is still protected after all that
    for other in admins - {ada.id}:
        await shop.accounts.change(SYSTEM, other, DEMOTE)
    with pytest.raises(LastAdmin):
        await shop.accounts.change(SYSTEM, ada.id, DEACTIVATE)
