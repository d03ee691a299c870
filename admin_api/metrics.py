"""What the API counts for Prometheus (``runtime/metrics.py`` serves it): requests by
method, route (the route's pattern, so ids do not multiply the series) and status, and how
long they took by route. ``request_context`` (``admin_api/middlewares.py``) reports each."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import Counter, Histogram

UNMATCHED = "unmatched"
"""The route of a request that matched none (a 404, or refused before routing)."""

HTTP_REQUESTS = Counter(
    "shop_http_requests",
    "API requests by method, route pattern and status.",
    ["method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "shop_http_request_seconds", "How long API requests took, by route pattern.", ["route"]
)


def count_request(request: web.Request, status: int, seconds: float) -> None:
    resource = request.match_info.route.resource
    route = UNMATCHED if resource is None else resource.canonical
    HTTP_REQUESTS.labels(request.method, route, str(status)).inc()
    HTTP_SECONDS.labels(route).observe(seconds)
