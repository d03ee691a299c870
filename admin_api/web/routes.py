"""Every back-office page and form action, in one table (paths under ``/admin``).

A new page is a handler module in ``admin_api/web/pages/``, a template in
``admin_api/web/templates/`` and one row here (docs/back-office.md). ``access`` is
``STAFF`` (operators and admins) unless the row says ``ADMIN`` or ``PUBLIC``; ``menu`` puts
a link in the navigation for the roles that may open the page.
"""

from __future__ import annotations

from admin_api.contract import Access
from admin_api.web.pages import customers, dashboard, orders, signing_in
from admin_api.web.visit import PageRoute

PUBLIC, STAFF, ADMIN = Access.PUBLIC, Access.STAFF, Access.ADMIN

PAGES: tuple[PageRoute, ...] = (
    # signing in and out
    PageRoute("GET", "/sign-in", signing_in.sign_in_form, PUBLIC),
    PageRoute("POST", "/sign-in", signing_in.sign_in, PUBLIC),
    PageRoute("POST", "/sign-out", signing_in.sign_out),
    # dashboard
    PageRoute("GET", "/", dashboard.dashboard, menu="Dashboard"),
    # orders
    PageRoute("GET", "/orders", orders.list_orders, menu="Orders"),
    PageRoute("GET", "/orders/{id}", orders.order_page),
    PageRoute("POST", "/orders/{id}/status", orders.change_status),
    PageRoute("POST", "/orders/{id}/refunded", orders.record_refund),
    # customers and staff
    PageRoute("GET", "/customers", customers.list_customers, menu="Customers"),
    PageRoute("GET", "/customers/{id}", customers.customer_page),
    PageRoute("POST", "/customers/{id}/role", customers.change_role, ADMIN),
    PageRoute("POST", "/customers/{id}/active", customers.change_activity, ADMIN),
    PageRoute("GET", "/staff", customers.staff_list, ADMIN, menu="Staff"),
)  # fmt: skip
