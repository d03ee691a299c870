"""Every back-office page and form action, in one table (paths under ``/admin``).

A new page is a handler module in ``admin_api/web/pages/``, a template in
``admin_api/web/templates/`` and one row here (docs/back-office.md). ``access`` is
``STAFF`` (operators and admins) unless the row says ``ADMIN`` or ``PUBLIC``; ``menu`` puts
a link in the navigation for the roles that may open the page.
"""

from __future__ import annotations

from admin_api.contract import Access
from admin_api.web.pages import dashboard, signing_in
from admin_api.web.visit import PageRoute

PUBLIC, STAFF, ADMIN = Access.PUBLIC, Access.STAFF, Access.ADMIN

PAGES: tuple[PageRoute, ...] = (
    # signing in and out
    PageRoute("GET", "/sign-in", signing_in.sign_in_form, PUBLIC),
    PageRoute("POST", "/sign-in", signing_in.sign_in, PUBLIC),
    PageRoute("POST", "/sign-out", signing_in.sign_out),
    # dashboard
    PageRoute("GET", "/", dashboard.dashboard, menu="Dashboard"),
)  # fmt: skip
