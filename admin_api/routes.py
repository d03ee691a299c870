"""Every route, in one table: what the router serves, what it enforces (see
``admin_api/contract.py``) and what the OpenAPI document says."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from aiohttp import web
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from admin_api.contract import Access, Form, Route, Upload, bind
from admin_api.handlers import (
    auth,
    broadcasts,
    campaigns,
    cart,
    categories,
    delivery,
    goods,
    imports,
    orders,
    payments,
    photos,
    privacy,
    products,
    promotions,
    reports,
    staff,
    system,
    variants,
)
from admin_api.payloads import CSV
from admin_api.schemas import Health, ProfileChanges, Session
from core.accounts.commands import AccountChange, Credentials, Registration, UserQuery
from core.accounts.models import User
from core.base.commands import HistoryQuery
from core.base.ids import ID_PATTERN
from core.base.models import Page
from core.campaigns.commands import CampaignQuery
from core.campaigns.models import CampaignReport
from core.catalog.commands import (
    CategoryDraft,
    CategoryOrder,
    CategoryPatch,
    CategoryQuery,
    ImportOptions,
    PhotoOrder,
    ProductDraft,
    ProductPatch,
    ProductQuery,
)
from core.catalog.import_files import MAX_CSV_BYTES, MAX_ZIP_BYTES
from core.catalog.models import Album, Category, ImportReport, Product, Shelves
from core.catalog.photos import CONTENT_TYPES
from core.catalog.variants.commands import (
    OptionsChange,
    VariantDraft,
    VariantPatch,
    VariantQuery,
)
from core.catalog.variants.models import Variant, VariantList
from core.digital.commands import (
    GOODS_FILE_MAX_BYTES,
    KEY_FILE_MAX_BYTES,
    GoodsFileForm,
    GoodsFileQuery,
    KeyListQuery,
    KeyUpload,
)
from core.digital.models import KeyUploadReport, OrderGoods, PoolCounts, PoolKey
from core.messaging.commands import BroadcastDraft
from core.messaging.models import Broadcast, BroadcastProgress
from core.privacy.commands import ErasureRequest
from core.privacy.models import CustomerData, ErasureReport
from core.promotions.commands import PromoDraft, PromoEntry, PromoPatch, PromoQuery
from core.promotions.models import PromoCode, PromoFigures
from core.reports.models import Dashboard
from core.sales.commands import (
    BulkStatusUpdate,
    CartChange,
    CartRemoval,
    DeliveryDetails,
    OrderFilter,
    OrderQuery,
    RefundRecord,
    StatusUpdate,
)
from core.sales.models import (
    BulkStatusResult,
    CartView,
    CustomerSpending,
    DeliveryMethods,
    Order,
)

PUBLIC, OPTIONAL, SIGNED_IN = Access.PUBLIC, Access.OPTIONAL, Access.SIGNED_IN
STAFF, ADMIN = Access.STAFF, Access.ADMIN
PHOTO_TYPES = tuple(CONTENT_TYPES.values())
PHOTO_UPLOAD = Upload("photo", PHOTO_TYPES, lambda shop: shop.photos.max_bytes)
PRODUCT_IMPORT = Form(
    (
        Upload(imports.SHEET, ("text/csv",), lambda shop: MAX_CSV_BYTES),
        Upload(imports.PHOTOS, ("application/zip",), lambda shop: MAX_ZIP_BYTES, required=False),
    ),
    ImportOptions,
)

KEY_FILE = Upload(goods.FILE, ("text/csv", "text/plain"), lambda shop: KEY_FILE_MAX_BYTES)
GOODS_FILE = Form(
    (Upload(goods.FILE, ("application/octet-stream",), lambda shop: GOODS_FILE_MAX_BYTES),),
    GoodsFileForm,
)

ROUTES: tuple[Route, ...] = (
    # auth
    Route("POST", "/api/auth/register", auth.register, "Create a customer account", "auth",
          body=Registration, response=User, status=201, problems=(409, 429)),
    Route("POST", "/api/auth/login", auth.log_in, "Get an access token", "auth",
          body=Credentials, response=Session, problems=(401, 429)),
    Route("GET", "/api/auth/me", auth.me, "The caller's profile", "auth", SIGNED_IN,
          response=User),
    Route("PATCH", "/api/auth/me", auth.update_me, "Rename or change the password", "auth",
          SIGNED_IN, body=ProfileChanges, response=User, problems=(403, 429)),
    # products
    Route("GET", "/api/products", products.list_products, "Browse products", "products",
          OPTIONAL, query=ProductQuery, response=Page[Product]),
    Route("GET", "/api/products/{id}", products.get_product, "One product", "products",
          OPTIONAL, response=Product),
    Route("POST", "/api/products", products.create_product, "Create a product", "products",
          ADMIN, body=ProductDraft, response=Product, status=201, problems=(404, 409)),
    Route("PATCH", "/api/products/{id}", products.update_product, "Edit a product or its stock",
          "products", ADMIN, body=ProductPatch, response=Product, problems=(409,)),
    Route("POST", "/api/products/{id}/archive", products.archive_product, "Archive a product",
          "products", ADMIN, response=Product),
    Route("POST", "/api/products/{id}/photo", photos.upload_photo,
          "Attach or replace the product's photo", "products", ADMIN, upload=PHOTO_UPLOAD,
          response=Product),
    Route("GET", "/api/products/{id}/photo", photos.get_photo, "The product's photo",
          "products", OPTIONAL, files=PHOTO_TYPES),
    Route("DELETE", "/api/products/{id}/photo", photos.remove_photo,
          "Remove the product's photo", "products", ADMIN, response=Product),
    # digital goods
    Route("POST", "/api/products/{id}/keys", goods.add_keys,
          "Add keys to a digital product's pool", "digital goods", ADMIN, body=KeyUpload,
          response=KeyUploadReport, problems=(404, 409)),
    Route("POST", "/api/products/{id}/keys/import", goods.import_keys,
          "Add keys from a CSV or text file", "digital goods", ADMIN, upload=KEY_FILE,
          response=KeyUploadReport, problems=(404, 409)),
    Route("GET", "/api/products/{id}/keys/counts", goods.pool_counts,
          "How many keys are free, taken, returned", "digital goods", STAFF,
          response=PoolCounts),
    Route("GET", "/api/products/{id}/keys", goods.list_keys,
          "The pool's keys (the keys themselves on request)", "digital goods", ADMIN,
          query=KeyListQuery, response=Page[PoolKey]),
    Route("POST", "/api/products/{id}/keys/{keyId}/put-back", goods.put_key_back,
          "Sell a returned key again", "digital goods", ADMIN, response=PoolCounts,
          problems=(404, 409)),
    Route("POST", "/api/products/{id}/file", goods.attach_file,
          "Give a digital product its file", "digital goods", ADMIN, form=GOODS_FILE,
          response=Product, problems=(404, 409)),
    Route("GET", "/api/orders/{id}/goods", goods.order_goods,
          "The digital goods of the caller's order", "digital goods", SIGNED_IN,
          response=OrderGoods, problems=(404,)),
    Route("GET", "/api/orders/{id}/goods/file", goods.order_goods_file,
          "Download the file of the caller's order", "digital goods", SIGNED_IN,
          query=GoodsFileQuery, media_type=goods.OCTET_STREAM, download=True,
          problems=(404,)),
    # several photos per product, each named by its fileId
    Route("GET", "/api/products/{id}/photos", photos.list_photos,
          "The product's photos in order", "products", OPTIONAL, response=Album),
    Route("POST", "/api/products/{id}/photos", photos.add_photo,
          "Add a photo after the others", "products", ADMIN, upload=PHOTO_UPLOAD,
          response=Product, status=201, problems=(409,)),
    Route("POST", "/api/products/{id}/photos/order", photos.reorder_photos,
          "Put the product's photos in a new order", "products", ADMIN, body=PhotoOrder,
          response=Product, problems=(409,)),
    Route("GET", "/api/products/{id}/photos/{photo}", photos.get_one_photo,
          "One of the product's photos", "products", OPTIONAL, files=PHOTO_TYPES),
    Route("PUT", "/api/products/{id}/photos/{photo}", photos.replace_photo,
          "Replace one of the product's photos", "products", ADMIN, upload=PHOTO_UPLOAD,
          response=Product, problems=(409,)),
    Route("DELETE", "/api/products/{id}/photos/{photo}", photos.remove_one_photo,
          "Remove one of the product's photos", "products", ADMIN, response=Product,
          problems=(409,)),
    Route("POST", "/api/imports/products", imports.import_products,
          "Import products from CSV (and a ZIP of photos)", "products", ADMIN,
          form=PRODUCT_IMPORT, response=ImportReport),
    # variants (core/catalog/variants/)
    Route("PUT", "/api/products/{id}/options", variants.set_options,
          "Set a product's options (size, colour): it is then sold by variant", "variants",
          ADMIN, body=OptionsChange, response=Product, problems=(409,)),
    Route("GET", "/api/products/{id}/variants", variants.list_variants,
          "A product's variants", "variants", OPTIONAL, query=VariantQuery,
          response=VariantList),
    Route("POST", "/api/products/{id}/variants", variants.create_variant,
          "Create a variant: one value of each option", "variants", ADMIN, body=VariantDraft,
          response=Variant, status=201, problems=(404, 409)),
    Route("GET", "/api/variants/{id}", variants.get_variant, "One variant", "variants",
          OPTIONAL, response=Variant),
    Route("PATCH", "/api/variants/{id}", variants.update_variant,
          "Edit a variant, its price or its stock", "variants", ADMIN, body=VariantPatch,
          response=Variant, problems=(409,)),
    Route("POST", "/api/variants/{id}/archive", variants.archive_variant,
          "Archive a variant (orders keep it)", "variants", ADMIN, response=Variant),
    # categories
    Route("GET", "/api/categories", categories.list_categories,
          "Categories in order, with their products on sale", "categories", OPTIONAL,
          query=CategoryQuery, response=Shelves),
    Route("GET", "/api/categories/{id}", categories.get_category, "One category", "categories",
          OPTIONAL, response=Category),
    Route("POST", "/api/categories", categories.create_category,
          "Create a category or a subcategory", "categories", ADMIN, body=CategoryDraft,
          response=Category, status=201, problems=(404, 409)),
    Route("PATCH", "/api/categories/{id}", categories.update_category,
          "Rename, describe, move, archive or restore a category", "categories", ADMIN,
          body=CategoryPatch, response=Category),
    Route("POST", "/api/categories/{id}/archive", categories.archive_category,
          "Archive a category", "categories", ADMIN, response=Category),
    Route("POST", "/api/categories/order", categories.reorder_categories,
          "Put one level of categories in a new order", "categories", ADMIN, body=CategoryOrder,
          response=Shelves, problems=(409,)),
    # cart
    Route("GET", "/api/cart", cart.view_cart, "The caller's cart with totals", "cart",
          SIGNED_IN, response=CartView),
    Route("POST", "/api/cart/add", cart.add_to_cart, "Add a product to the cart", "cart",
          SIGNED_IN, body=CartChange, response=CartView, problems=(404, 409)),
    Route("POST", "/api/cart/remove", cart.remove_from_cart, "Remove a product from the cart",
          "cart", SIGNED_IN, body=CartRemoval, response=CartView, problems=(404, 409)),
    # promo codes
    Route("POST", "/api/cart/promo", promotions.add_cart_code, "Add a promo code to the cart",
          "promotions", SIGNED_IN, body=PromoEntry, response=CartView, problems=(409,)),
    Route("DELETE", "/api/cart/promo", promotions.remove_cart_code,
          "Drop the cart's promo code", "promotions", SIGNED_IN, response=CartView),
    Route("GET", "/api/admin/promo-codes", promotions.list_codes,
          "Promo codes with their uses, discount given and revenue", "promotions", STAFF,
          query=PromoQuery, response=Page[PromoFigures]),
    Route("POST", "/api/admin/promo-codes", promotions.create_code, "Create a promo code",
          "promotions", STAFF, body=PromoDraft, response=PromoCode, status=201,
          problems=(409,)),
    Route("GET", "/api/admin/promo-codes/{id}", promotions.get_code,
          "A promo code and its figures", "promotions", STAFF, response=PromoFigures),
    Route("PATCH", "/api/admin/promo-codes/{id}", promotions.update_code,
          "Edit, pause, resume or archive a promo code", "promotions", STAFF, body=PromoPatch,
          response=PromoCode, problems=(409,)),
    # orders
    Route("GET", "/api/delivery-methods", delivery.delivery_methods,
          "How orders can reach the customer", "orders", response=DeliveryMethods),
    Route("POST", "/api/orders", orders.place_order, "Place an order from the cart", "orders",
          SIGNED_IN, body=DeliveryDetails, response=Order, status=201, problems=(409, 422),
          idempotent=True, body_optional=True),  # none for digital goods only
    Route("GET", "/api/orders", orders.order_history, "The caller's orders", "orders",
          SIGNED_IN, query=HistoryQuery, response=Page[Order]),
    Route("GET", "/api/orders/{id}", orders.get_own_order, "One of the caller's orders",
          "orders", SIGNED_IN, response=Order),
    Route("PATCH", "/api/orders/{id}", orders.change_order_status, "Change an order's status",
          "orders", STAFF, body=StatusUpdate, response=Order, problems=(409,)),
    # back office
    Route("GET", "/api/admin/orders", staff.search_orders, "Search all orders", "admin",
          STAFF, query=OrderQuery, response=Page[Order]),
    Route("GET", "/api/admin/orders/{id}", staff.get_any_order, "Any order", "admin", STAFF,
          response=Order),
    Route("GET", "/api/admin/users", staff.list_users,
          "Find accounts by name, email or Telegram id", "admin", STAFF, query=UserQuery,
          response=Page[User]),
    Route("GET", "/api/admin/users/{id}", staff.get_user, "One account", "admin", STAFF,
          response=User),
    Route("GET", "/api/admin/users/{id}/spending", staff.customer_spending,
          "What a customer ordered and spent", "admin", STAFF, response=CustomerSpending),
    Route("PATCH", "/api/admin/users/{id}", staff.change_user,
          "Change an account's role, or deactivate or reactivate it", "admin", ADMIN,
          body=AccountChange, response=User, problems=(409,)),
    Route("POST", "/api/admin/orders/status", orders.change_statuses,
          "Change many orders' status", "admin", STAFF, body=BulkStatusUpdate,
          response=BulkStatusResult),
    Route("GET", "/api/admin/refunds", payments.refunds_due, "Orders with a payment owed back",
          "admin", STAFF, query=HistoryQuery, response=Page[Order]),
    Route("POST", "/api/admin/orders/{id}/refunded", payments.record_refund,
          "Record a refund made outside Telegram", "admin", STAFF, body=RefundRecord,
          response=Order, problems=(409,)),
    # reports
    Route("GET", "/api/reports/dashboard", reports.dashboard,
          "How the shop is doing: today, 7 and 30 days", "reports", STAFF, response=Dashboard),
    Route("GET", "/api/exports/orders.csv", reports.export_orders, "Orders as CSV", "reports",
          STAFF, query=OrderFilter, media_type=CSV, download=True),
    Route("GET", "/api/exports/customers.csv", reports.export_customers, "Customers as CSV",
          "reports", STAFF, media_type=CSV, download=True),
    Route("GET", "/api/exports/products.csv", reports.export_products, "Products as CSV",
          "reports", STAFF, media_type=CSV, download=True),
    Route("GET", "/api/exports/variants.csv", reports.export_variants, "Variants as CSV",
          "reports", STAFF, media_type=CSV, download=True),
    Route("GET", "/api/reports/campaigns", campaigns.campaign_figures,
          "Orders and revenue by campaign", "reports", STAFF, query=CampaignQuery,
          response=CampaignReport),
    # broadcasts
    Route("POST", "/api/broadcasts", broadcasts.start_broadcast, "Message a segment of customers",
          "broadcasts", STAFF, body=BroadcastDraft, response=BroadcastProgress, status=201),
    Route("GET", "/api/broadcasts", broadcasts.list_broadcasts, "Recent broadcasts",
          "broadcasts", STAFF, query=HistoryQuery, response=Page[Broadcast]),
    Route("GET", "/api/broadcasts/{id}", broadcasts.broadcast_progress,
          "A broadcast and its live progress", "broadcasts", STAFF, response=BroadcastProgress),
    Route("POST", "/api/broadcasts/{id}/cancel", broadcasts.cancel_broadcast,
          "Stop a broadcast", "broadcasts", STAFF, response=BroadcastProgress, problems=(409,)),
    # customers' data (admins only on others': accounts are theirs, operators' are orders)
    Route("GET", "/api/me/data", privacy.my_data, "Everything the shop keeps about the caller",
          "privacy", SIGNED_IN, response=CustomerData),
    Route("POST", "/api/me/data/erase", privacy.erase_my_data,
          "Erase the caller's data: orders stay, anonymised; the account is closed", "privacy",
          SIGNED_IN, body=ErasureRequest, response=ErasureReport, problems=(409,)),
    Route("GET", "/api/admin/users/{id}/data", privacy.customer_data,
          "Everything the shop keeps about a customer", "privacy", ADMIN,
          response=CustomerData),
    Route("POST", "/api/admin/users/{id}/data/erase", privacy.erase_customer_data,
          "Erase a customer's data on their request", "privacy", ADMIN, body=ErasureRequest,
          response=ErasureReport, problems=(409,)),
    # system
    Route("GET", "/healthz", system.alive, "The process is alive", "system", response=Health),
    Route("GET", "/readyz", system.ready, "The database is reachable", "system",
          response=Health, problems=(503,)),
    Route("GET", "/api/openapi.json", system.openapi_document, "This document", "system"),
    Route("GET", "/api/docs", system.docs_page, "Interactive docs (works offline)", "system",
          media_type="text/html"),
    Route("GET", "/api/docs/init.js", system.docs_script, "Script of the docs page", "system",
          media_type="text/javascript"),
)  # fmt: skip


PATH_PARAMETER = re.compile(r"{(\w+)}")


def router_path(path: str) -> str:
    """``path`` as the router matches it: every path parameter is an id."""
    return PATH_PARAMETER.sub(rf"{{\1:{ID_PATTERN}}}", path)


def _matcher(path: str) -> re.Pattern[str]:
    """What the router matches for ``path``: literal parts as they are, parameters as ids."""
    parts = PATH_PARAMETER.split(path)  # literal, name, literal, name, ..., literal
    return re.compile("".join(ID_PATTERN if i % 2 else re.escape(p) for i, p in enumerate(parts)))


def shadowed(routes: Sequence[Route]) -> list[str]:
    """Paths that another route would also match (``/orders/status`` by ``/orders/{id}``)."""
    paths = sorted({route.path for route in routes})
    return [
        f"{literal} is matched by {other}"
        for other in paths
        for literal in paths
        if other != literal and _matcher(other).fullmatch(literal)
    ]


def routes_for(delivers: bool) -> tuple[Route, ...]:
    """The table as a shop serves it: checkout takes delivery details (and requires them)
    only where the shop delivers; elsewhere it takes no body, as before delivery existed."""
    if delivers:
        return ROUTES
    return tuple(replace(r, body=None) if r.body is DeliveryDetails else r for r in ROUTES)


def add_routes(app: web.Application, routes: Sequence[Route] = ROUTES) -> None:
    if clashes := shadowed(routes):
        raise ValueError(f"ambiguous routes: {'; '.join(clashes)}")
    for route in routes:
        app.router.add_route(
            route.method, router_path(route.path), bind(route), name=route.handler.__name__
        )
    app.router.add_static(system.ASSETS, Path(str(swagger_ui_path)), name="docs_assets")
