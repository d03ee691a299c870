"""The OpenAPI 3.1 document, generated from the route table and its pydantic models."""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from admin_api.contract import Access, Form, Route, Upload
from admin_api.handlers.orders import IDEMPOTENCY_KEY
from admin_api.payloads import MULTIPART
from admin_api.problems import MEDIA_TYPE, Problem
from admin_api.routes import PATH_PARAMETER
from core.base.fields import DELIVERY_METHOD_MARK, SHOP_CURRENCY_MARK
from core.base.ids import Id
from core.sales.commands import DELIVERY_RULES_MARK, IdempotencyKey
from core.sales.delivery import address_rules
from core.sales.models import DeliveryMethod

REF = "#/components/schemas/{model}"
Mode = Literal["validation", "serialization"]
ID_SCHEMA = TypeAdapter(Id).json_schema()
API_VERSION = "1.0.0"
BEARER = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
BINARY = {"type": "string", "format": "binary"}
DOWNLOAD_HEADERS = {
    "Content-Disposition": {
        "schema": {"type": "string"},
        "description": 'attachment; filename="<name>-<date>.csv"',
    }
}
FILE_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "Changes when the file does."},
    "Cache-Control": {"schema": {"type": "string"}},
}


def _models(routes: Sequence[Route]) -> list[tuple[type[BaseModel], Mode]]:
    models: list[tuple[type[BaseModel], Mode]] = [(Problem, "serialization")]
    for route in routes:
        models += [(m, "validation") for m in (route.body, route.query) if m is not None]
        if route.response is not None:
            models.append((route.response, "serialization"))
    return list(dict.fromkeys(models))


@functools.cache
def _schemas(
    models: tuple[tuple[type[BaseModel], Mode], ...],
) -> tuple[dict[Any, dict[str, Any]], dict[str, Any]]:
    """The models' JSON schemas, made once per process: making them is most of the cost of
    building an app (a tenth of a second), and the tests build hundreds."""
    return models_json_schema(models, ref_template=REF)


def _upload(upload: Upload) -> dict[str, Any]:
    """A multipart body with the file in ``upload.field``."""
    types = ", ".join(upload.media_types)
    return {
        "schema": {
            "type": "object",
            "required": [upload.field],
            "properties": {upload.field: {**BINARY, "description": f"One of {types}."}},
            "additionalProperties": False,
        },
        "encoding": {upload.field: {"contentType": types}},
    }


def _form(form: Form) -> dict[str, Any]:
    """A multipart body with files and text fields (whose schemas are the fields command's)."""
    fields = form.fields.model_json_schema(by_alias=True)
    files = {
        upload.field: {**BINARY, "description": f"One of {', '.join(upload.media_types)}."}
        for upload in form.uploads
    }
    return {
        "schema": {
            "type": "object",
            "required": [
                *(upload.field for upload in form.uploads if upload.required),
                *fields.get("required", ()),
            ],
            "properties": {**files, **fields["properties"]},
            "additionalProperties": False,
        },
        "encoding": {
            upload.field: {"contentType": ", ".join(upload.media_types)} for upload in form.uploads
        },
    }


def _problem_statuses(route: Route) -> set[int]:
    # 408, 413 and 415 everywhere: an operation without a body refuses one that is sent (and
    # waits for it only so long); 431 for a header line too long, wherever it is sent.
    statuses = {408, 413, 415, 431, 500, 503, *route.problems}
    if route.access is not Access.PUBLIC:
        statuses.add(401)
    if route.access in (Access.STAFF, Access.ADMIN):
        statuses.add(403)
    if route.body is not None or route.upload is not None or route.form is not None:
        statuses |= {400, 422}
    if route.query is not None:
        statuses.add(422)
    if PATH_PARAMETER.search(route.path):
        statuses.add(404)
    return statuses


def _pin(schema: Any, choices: dict[str, list[str]]) -> None:
    """Every field marked with a key of ``choices`` (the shop's currency, its delivery
    methods) accepts those values only."""
    if isinstance(schema, dict):
        for mark, values in choices.items():
            if schema.pop(mark, False):
                schema.pop("pattern", None)
                schema["enum"] = values
        for value in schema.values():
            _pin(value, choices)
    elif isinstance(schema, list):
        for value in schema:
            _pin(value, choices)


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema: a query string cannot carry null, only leave it out."""
    choices = [choice for choice in schema.get("anyOf", ()) if choice != {"type": "null"}]
    if len(choices) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key not in ("anyOf", "default")}
    return {**rest, **choices[0]}


def build_document(
    routes: Sequence[Route],
    *,
    currency: str,
    delivery_methods: Sequence[DeliveryMethod] = (),
    max_body_bytes: int,
) -> dict[str, Any]:
    """The document for ``routes`` in a shop selling in ``currency`` and delivering by
    ``delivery_methods``."""
    refs, schemas = _schemas(tuple(_models(routes)))
    definitions: dict[str, Any] = copy.deepcopy(schemas.get("$defs", {}))
    codes = [method.code for method in delivery_methods]
    _pin(definitions, {SHOP_CURRENCY_MARK: [currency], DELIVERY_METHOD_MARK: codes})
    for schema in definitions.values():
        if schema.pop(DELIVERY_RULES_MARK, False):
            schema["oneOf"] = address_rules(delivery_methods)

    def ref(model: type[BaseModel], mode: Mode) -> dict[str, Any]:
        return dict(refs[(model, mode)])

    def content(media_type: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"content": {media_type: {"schema": schema}}}

    def parameters(route: Route) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = [
            {"name": name, "in": "path", "required": True, "schema": ID_SCHEMA}
            for name in PATH_PARAMETER.findall(route.path)
        ]
        if route.query is not None:
            name = ref(route.query, "validation")["$ref"].rsplit("/", 1)[1]
            query_schema = definitions[name]
            required = set(query_schema.get("required", ()))
            found += [
                {
                    "name": field,
                    "in": "query",
                    "required": field in required,
                    "schema": _without_null(schema),
                }
                for field, schema in query_schema["properties"].items()
            ]
        if route.idempotent:
            key_schema = IdempotencyKey.model_json_schema()["properties"]["key"]
            found.append({"name": IDEMPOTENCY_KEY, "in": "header", "schema": key_schema})
        return found

    def operation(route: Route) -> dict[str, Any]:
        success: dict[str, Any] = {"description": HTTPStatus(route.status).phrase}
        if route.response is not None:
            success |= content(route.media_type, ref(route.response, "serialization"))
        elif route.media_type != "application/json":
            success |= content(route.media_type, {"type": "string"})
        else:
            success |= content(route.media_type, {"type": "object"})
        if route.files:
            success = {
                **success,
                "headers": FILE_HEADERS,
                "content": {media_type: {"schema": BINARY} for media_type in route.files},
            }
        if route.download:
            success["headers"] = DOWNLOAD_HEADERS
        responses = {str(route.status): success}
        if route.files:
            responses["304"] = {"description": "Not Modified", "headers": FILE_HEADERS}
        problem = content(MEDIA_TYPE, ref(Problem, "serialization"))
        for status in sorted(_problem_statuses(route)):
            responses[str(status)] = {"description": HTTPStatus(status).phrase, **problem}
        op: dict[str, Any] = {
            "operationId": route.handler.__name__,
            "summary": route.summary,
            "tags": [route.tag],
            "responses": responses,
        }
        if route.handler.__doc__:
            op["description"] = route.handler.__doc__.strip()
        if params := parameters(route):
            op["parameters"] = params
        if route.body is not None:
            op["requestBody"] = {
                "required": True,
                **content("application/json", ref(route.body, "validation")),
            }
        if route.upload is not None:
            op["requestBody"] = {"required": True, "content": {MULTIPART: _upload(route.upload)}}
        if route.form is not None:
            op["requestBody"] = {"required": True, "content": {MULTIPART: _form(route.form)}}
        if route.access is Access.OPTIONAL:
            op["security"] = [{"bearer": []}, {}]
        elif route.access is not Access.PUBLIC:
            op["security"] = [{"bearer": []}]
        return op

    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Telegram shop API",
            "version": API_VERSION,
            "description": (
                "Errors are `application/problem+json` (RFC 9457). Request bodies are JSON of "
                f"at most {max_body_bytes} bytes (413 beyond) that must arrive in time (408); "
                "an operation without a request body refuses one (415); a request line or "
                "header line longer than 8190 bytes gets 431."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": definitions,
            "securitySchemes": {"bearer": BEARER},
        },
    }
