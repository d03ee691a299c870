"""Every back-office page and form action, in one table (paths under ``/admin``).

A new page is a handler module in ``admin_api/web/pages/``, a template in
``admin_api/web/templates/`` and one row here (docs/back-office.md). ``access`` is
``STAFF`` (operators and admins) unless the row says ``ADMIN`` or ``PUBLIC``; ``menu`` puts
a link in the navigation for the roles that may open the page.
"""

from __future__ import annotations

from admin_api.contract import Access
from admin_api.web.pages import (
    broadcasts,
    campaigns,
    categories,
    customers,
    dashboard,
    orders,
    product_goods,
    product_photos,
    products,
    promotions,
    signing_in,
    spreadsheets,
)
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
    # products and categories (admins)
    PageRoute("GET", "/products", products.product_list, ADMIN, menu="Products"),
    PageRoute("GET", "/products/new", products.new_product, ADMIN),
    PageRoute("POST", "/products", products.create_product, ADMIN),
    PageRoute("GET", "/products/{id}", products.edit_product, ADMIN),
    PageRoute("POST", "/products/{id}", products.update_product, ADMIN),
    PageRoute("POST", "/products/{id}/stock", products.change_stock, ADMIN),
    PageRoute("POST", "/products/{id}/archive", products.archive_product, ADMIN),
    PageRoute("POST", "/products/{id}/restore", products.restore_product, ADMIN),
    PageRoute("POST", "/products/{id}/photo", products.upload_photo, ADMIN),
    PageRoute("GET", "/products/{id}/photo", products.product_photo, ADMIN),
    PageRoute("POST", "/products/{id}/photo/remove", products.remove_photo, ADMIN),
    # a product's digital goods: keys typed or in a file, the file it sends
    PageRoute("POST", "/products/{id}/keys", product_goods.add_typed_keys, ADMIN),
    PageRoute("POST", "/products/{id}/keys/file", product_goods.add_key_file, ADMIN),
    PageRoute("POST", "/products/{id}/goods-file", product_goods.put_goods_file, ADMIN),
    PageRoute("POST", "/products/{id}/keys/{key}/put-back", product_goods.put_key_back, ADMIN),
    # a product's several photos
    PageRoute("POST", "/products/{id}/photos", product_photos.add_product_photo, ADMIN),
    PageRoute("GET", "/products/{id}/photos/{photo}", product_photos.product_photo_file, ADMIN),
    PageRoute("POST", "/products/{id}/photos/{photo}", product_photos.replace_product_photo, ADMIN),
    PageRoute(
        "POST", "/products/{id}/photos/{photo}/remove", product_photos.remove_product_photo, ADMIN
    ),
    PageRoute(
        "POST", "/products/{id}/photos/{photo}/earlier", product_photos.move_photo_earlier, ADMIN
    ),
    PageRoute(
        "POST", "/products/{id}/photos/{photo}/later", product_photos.move_photo_later, ADMIN
    ),
    PageRoute("GET", "/categories", categories.category_list, ADMIN),
    PageRoute("POST", "/categories", categories.create_category, ADMIN),
    PageRoute("POST", "/categories/{id}", categories.rename_category, ADMIN),
    PageRoute("POST", "/categories/{id}/archive", categories.archive_category, ADMIN),
    PageRoute("POST", "/categories/{id}/restore", categories.restore_category, ADMIN),
    PageRoute("POST", "/categories/{id}/up", categories.move_category_up, ADMIN),
    PageRoute("POST", "/categories/{id}/down", categories.move_category_down, ADMIN),
    # broadcasts (operators and admins)
    PageRoute("GET", "/broadcasts", broadcasts.broadcast_list, menu="Broadcasts"),
    PageRoute("POST", "/broadcasts/preview", broadcasts.preview_broadcast),
    PageRoute("POST", "/broadcasts", broadcasts.start_broadcast),
    PageRoute("GET", "/broadcasts/{id}", broadcasts.broadcast_page),
    PageRoute("GET", "/broadcasts/{id}/progress", broadcasts.broadcast_progress),
    PageRoute("POST", "/broadcasts/{id}/cancel", broadcasts.cancel_broadcast),
    # promo codes (operators and admins)
    PageRoute("GET", "/promo-codes", promotions.promo_list, menu="Promo codes"),
    PageRoute("GET", "/promo-codes/new", promotions.new_promo),
    PageRoute("POST", "/promo-codes", promotions.create_promo),
    PageRoute("GET", "/promo-codes/{id}", promotions.edit_promo),
    PageRoute("POST", "/promo-codes/{id}", promotions.update_promo),
    PageRoute("POST", "/promo-codes/{id}/state", promotions.change_promo_state),
    # spreadsheets: exports (staff) and the product import (admins)
    PageRoute("GET", "/spreadsheets", spreadsheets.spreadsheets, menu="Spreadsheets"),
    PageRoute("GET", "/exports/orders.csv", spreadsheets.export_orders),
    PageRoute("GET", "/exports/customers.csv", spreadsheets.export_customers),
    PageRoute("GET", "/exports/products.csv", spreadsheets.export_products),
    PageRoute("GET", "/exports/variants.csv", spreadsheets.export_variants),
    PageRoute("POST", "/imports/check", spreadsheets.check_import, ADMIN),
    PageRoute("POST", "/imports/apply", spreadsheets.apply_import, ADMIN),
    # campaigns: orders and revenue by start-link campaign (operators and admins)
    PageRoute("GET", "/campaigns", campaigns.campaign_list, menu="Campaigns"),
)  # fmt: skip
