"""Every error of a back-office page as a readable HTML page (never problem+json, never a
traceback): the back office's counterpart of ``admin_api/problems.py``, whose status
mapping it shares."""

from __future__ import annotations

import logging

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Handler
from yarl import URL

from admin_api.keys import REQUEST_ID
from admin_api.problems import UNAVAILABLE_RETRY_SECONDS, Rejected, status_of
from admin_api.web import session
from admin_api.web.csrf import CsrfRefused
from admin_api.web.visit import SignInFirst
from core.accounts.errors import TooManyAttempts
from core.base.errors import DomainError, Forbidden, NotFound
from core.store import UNREACHABLE

log = logging.getLogger(__name__)

SIGN_IN = "sign_in_form"

TITLES = {
    400: "This request cannot be done",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    408: "Too slow",
    409: "Not done: something changed",
    413: "Too large",
    422: "Not done: the input is wrong",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "The shop is unavailable",
}
FORBIDDEN = "Your role does not allow this page or action. Ask an admin if you need it."
STALE_FORM = (
    "This form has expired or did not come from the back office, so nothing was changed. "
    "Go back, reload the page and try again."
)
MISSING = "There is no such page, or what it showed no longer exists."
ENDED = session.Flash("Your session has ended; sign in again.", error=True)


def error_page(
    request: web.Request, status: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    context = {
        "app": request.app,
        "status": status,
        "title": TITLES.get(status, "This request cannot be done"),
        "message": message,
        "request_id": request.get(REQUEST_ID, ""),
    }
    response = aiohttp_jinja2.render_template("error.html", request, context, status=status)
    response.headers.update(headers or {})
    return response


def _sign_in(request: web.Request, exc: SignInFirst) -> web.Response:
    """To the sign-in page, and back here after it. An htmx request (a fragment: a poll,
    a preview) sends the whole tab there instead (``HX-Redirect``), back to its page."""
    target = request.app.router[SIGN_IN].url_for()
    htmx = request.headers.get("HX-Request") == "true"
    back = URL(request.headers.get("HX-Current-URL", "")).path_qs if htmx else request.path_qs
    if request.method == "GET" or htmx:
        target = target.with_query(next=back)
    if htmx:
        response = web.Response(status=204, headers={"HX-Redirect": str(target)})
    else:
        response = web.Response(status=303, headers={"Location": str(target)})
    if exc.ended:
        session.end_session(response, request)
        session.leave_flash(response, request, ENDED)
    return response


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except SignInFirst as exc:
        return _sign_in(request, exc)
    except CsrfRefused:
        return error_page(request, 403, STALE_FORM)
    except Forbidden:
        return error_page(request, 403, FORBIDDEN)
    except NotFound:
        return error_page(request, 404, MISSING)
    except TooManyAttempts as exc:
        return error_page(request, 429, exc.message, {"Retry-After": str(exc.retry_after)})
    except DomainError as exc:
        return error_page(request, status_of(exc), exc.message)
    except Rejected as exc:  # the body did not arrive in time (``within``)
        return error_page(request, exc.status, exc.detail, exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:  # a redirect raised by aiohttp (a path's trailing slash)
            return web.Response(status=exc.status, headers=exc.headers)
        message = MISSING if exc.status == 404 else f"{exc.reason}."
        return error_page(request, exc.status, message)
    except UNREACHABLE:
        log.warning("the database is unreachable", extra={"requestId": request.get(REQUEST_ID)})
        message = "The shop's database cannot be reached right now. Try again in a moment."
        return error_page(request, 503, message, {"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)})
    except Exception:
        log.exception("unexpected error", extra={"requestId": request.get(REQUEST_ID)})
        message = "Something went wrong on our side. Quote the request id if you report it."
        return error_page(request, 500, message)
