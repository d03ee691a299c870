"""Customers and staff: operators read, admins change roles and deactivate (never the last
admin), and a role or activity change takes effect at the staff member's next request."""

from __future__ import annotations

from core.accounts.access import SYSTEM
from core.accounts.models import Role
from core.sales.commands import StatusUpdate
from core.shop import Shop
from tests.api.world import PASSWORD, World
from tests.web.office import Office, OpenOffice


async def test_operators_read_customers(office: Office, world: World, shop: Shop) -> None:
    await shop.orders.change_status(SYSTEM, world.order_id, StatusUpdate(status="paid"))
    await office.sign_in(world.operator.email, PASSWORD)
    listed = await office.get("/admin/customers?q=alice")
    assert listed.status == 200 and listed.shows("Alice") and not listed.shows("Bob")
    assert listed.shows(world.alice.email)
    page = await office.get(f"/admin/customers/{world.alice.id}")
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    assert page.shows("$9.00")  # two teas, paid
    assert page.shows("Recent orders") and not page.shows("Change the role")


async def test_operators_are_refused_admin_actions_with_a_readable_page(
    office: Office, world: World, shop: Shop
) -> None:
    await office.sign_in(world.operator.email, PASSWORD)
    await office.get(f"/admin/customers/{world.bob.id}")
    for action, form in (("role", {"role": "admin"}), ("active", {"active": "false"})):
        refused = await office.post(f"/admin/customers/{world.bob.id}/{action}", form)
        assert refused.status == 403, action
        assert refused.headers["Content-Type"].startswith("text/html")
        assert refused.shows("Your role does not allow this page or action")
        assert "Traceback" not in refused.text
    bob = await shop.users.get(world.bob.id)
    assert (bob.role, bob.active) == (Role.USER, True)


async def test_admins_change_roles_and_the_change_applies_at_the_next_request(
    open_office: OpenOffice, world: World, shop: Shop
) -> None:
    olga, ada = await open_office(), await open_office()
    await olga.sign_in(world.operator.email, PASSWORD)
    await ada.sign_in(world.admin.email, PASSWORD)
    assert (await olga.get("/admin/orders")).status == 200
    await ada.get(f"/admin/customers/{world.operator.id}")
    made = await ada.post(f"/admin/customers/{world.operator.id}/role", {"role": "user"})
    assert (await ada.follow(made)).shows("Olga is now user.")
    assert (await olga.get("/admin/orders")).status == 303  # signed out: no longer staff
    assert (await shop.users.get(world.operator.id)).role is Role.USER


async def test_a_deactivated_staff_member_is_refused_at_the_next_request(
    open_office: OpenOffice, world: World
) -> None:
    olga, ada = await open_office(), await open_office()
    await olga.sign_in(world.operator.email, PASSWORD)
    await ada.sign_in(world.admin.email, PASSWORD)
    await ada.get(f"/admin/customers/{world.operator.id}")
    done = await ada.post(f"/admin/customers/{world.operator.id}/active", {"active": "false"})
    assert (await ada.follow(done)).shows("Olga is deactivated.")
    assert (await olga.get("/admin/")).status == 303
    assert (await olga.sign_in(world.operator.email, PASSWORD)).shows("deactivated")


async def test_the_last_admin_stays_and_the_page_says_why(
    office: Office, world: World, shop: Shop
) -> None:
    await office.sign_in(world.admin.email, PASSWORD)
    await office.get(f"/admin/customers/{world.admin.id}")
    refused = await office.post(f"/admin/customers/{world.admin.id}/active", {"active": "false"})
    assert (await office.follow(refused)).shows(
        "Nothing was changed: The shop needs an active admin"
    )
    assert (await shop.users.get(world.admin.id)).is_active_admin


async def test_the_menu_shows_what_the_role_may_open(open_office: OpenOffice, world: World) -> None:
    olga, ada = await open_office(), await open_office()
    await olga.sign_in(world.operator.email, PASSWORD)
    await ada.sign_in(world.admin.email, PASSWORD)
    operators, admins = await olga.get("/admin/"), await ada.get("/admin/")
    for link in ("/admin/orders", "/admin/customers"):
        assert f'href="{link}"' in operators.text and f'href="{link}"' in admins.text
    assert 'href="/admin/staff"' in admins.text and 'href="/admin/staff"' not in operators.text
    staff = await ada.get("/admin/staff")
    assert staff.shows("Ada") and staff.shows("Olga") and not staff.shows("Alice")
    refused = await olga.get("/admin/staff")
    assert refused.status == 403 and refused.shows("Your role does not allow this page")
