"""RFC 9457 problem details: the one place that turns every error into a response.

Domain errors map to a status by their class; HTTP-level refusals are ``Rejected``;
an unreachable database is a 503 the client may retry; anything unexpected is logged with
its traceback and answered with a bare 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import BaseModel, ConfigDict, Field

from admin_api.keys import REQUEST_ID, SETTINGS
from core.accounts.errors import AuthenticationFailed, TooManyAttempts
from core.base.errors import Conflict, DomainError, FieldError, Forbidden, InvalidInput, NotFound
from core.store import UNREACHABLE

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:telegram-shop:problem:"

STATUS_OF: dict[type[DomainError], int] = {
    InvalidInput: 422,
    AuthenticationFailed: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    DomainError: 400,
}


UNAVAILABLE_RETRY_SECONDS = 5


class Rejected(Exception):
    """The HTTP layer refuses a request (bad JSON, wrong media type, throttled, ...)."""

    def __init__(
        self, status: int, code: str, detail: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})


class InvalidField(BaseModel):
    field: str = Field(description="Dotted path of the field in the input, e.g. `email`.")
    message: str


class Problem(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    type: str = Field(description=f"Stable URI of the kind of problem: `{TYPE_PREFIX}<code>`.")
    code: str = Field(description="The last part of `type`, e.g. `out-of-stock`.")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The request path.")
    request_id: str = Field(alias="requestId")
    errors: list[InvalidField] | None = None


def problem_response(
    request: web.BaseRequest,
    status: int,
    code: str,
    detail: str,
    errors: tuple[FieldError, ...] = (),
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    problem = Problem(
        type=TYPE_PREFIX + code,
        code=code,
        title=code.replace("-", " ").capitalize(),
        status=status,
        detail=detail,
        instance=request.path,
        request_id=request.get(REQUEST_ID, ""),
        errors=[InvalidField(field=_dotted(e.loc), message=e.message) for e in errors] or None,
    )
    response_headers = dict(headers or {})
    if status == 401:
        response_headers["WWW-Authenticate"] = 'Bearer realm="shop"'
    return web.json_response(
        problem.model_dump(mode="json", by_alias=True, exclude_none=True),
        status=status,
        content_type=MEDIA_TYPE,
        headers=response_headers,
    )


def _dotted(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in loc)


def status_of(error: DomainError) -> int:
    """The HTTP status of a domain error, by the nearest class ``STATUS_OF`` names."""
    return next(STATUS_OF[cls] for cls in type(error).__mro__ if cls in STATUS_OF)


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except InvalidInput as exc:
        return problem_response(request, 422, exc.code, exc.message, exc.errors)
    except TooManyAttempts as exc:
        retry_after = {"Retry-After": str(exc.retry_after)}
        return problem_response(request, 429, exc.code, exc.message, headers=retry_after)
    except DomainError as exc:
        return problem_response(request, status_of(exc), exc.code, exc.message)
    except Rejected as exc:
        return problem_response(request, exc.status, exc.code, exc.detail, headers=exc.headers)
    except web.HTTPRequestEntityTooLarge:
        limit = request.app[SETTINGS].max_body_bytes
        return problem_response(
            request, 413, "body-too-large", f"The body is larger than {limit} bytes."
        )
    except web.HTTPException as exc:
        code = exc.reason.lower().replace(" ", "-")
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return problem_response(request, exc.status, code, exc.reason + ".", headers=headers)
    except UNREACHABLE:
        log.warning("the database is unreachable", extra={"requestId": request.get(REQUEST_ID)})
        return problem_response(
            request,
            503,
            "unavailable",
            "The shop is temporarily unavailable. Try again in a moment.",
            headers={"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)},
        )
    except Exception:
        log.exception("unexpected error", extra={"requestId": request.get(REQUEST_ID)})
        return problem_response(
            request,
            500,
            "internal-error",
            "Something went wrong on our side. Quote the request id if you report it.",
        )
