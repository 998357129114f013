"""`GET /api/v1/openapi.json`: the OpenAPI 3.1 document, generated from the declared endpoints
and the same pydantic models that validate requests, so it cannot drift from the code."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from forum.api import schemas as s
from forum.api.core import ENDPOINTS, EndpointDoc, bp

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")

_STATUS_TEXT = {
    200: "OK", 201: "Created", 204: "No content", 401: "Sign-in required", 403: "Not allowed",
    404: "Not found", 409: "Conflict", 413: "Too large", 422: "Validation failed",
    429: "Too many requests", 503: "Unavailable",
}


def openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """`/threads/<int:thread_id>` → `/threads/{thread_id}` and its path parameters."""
    params = []
    for converter, name in _CONVERTER.findall(rule):
        schema = {"type": "integer"} if converter == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return "/api/v1" + _CONVERTER.sub(r"{\2}", rule), params


def _operation(doc: EndpointDoc, refs: dict[type[BaseModel], str]) -> dict[str, Any]:
    _path, params = openapi_path(doc.rule)
    for name, kind in doc.query:
        params.append({"name": name, "in": "query", "required": False, "schema": {"type": kind}})
    operation: dict[str, Any] = {
        "operationId": f"{doc.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', doc.rule.lower()).strip('_')}",
        "summary": doc.summary,
        "tags": [doc.tag],
        "responses": {},
    }
    if params:
        operation["parameters"] = params
    if doc.auth:
        operation["security"] = [{"bearer": []}, {"session": []}]
    if doc.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": refs[doc.body]}}},
        }
    success: dict[str, Any] = {"description": _STATUS_TEXT.get(doc.status, "OK")}
    if doc.response is not None and doc.status != 204:
        success["content"] = {"application/json": {"schema": {"$ref": refs[doc.response]}}}
    operation["responses"][str(doc.status)] = success
    problem = {"application/problem+json": {"schema": {"$ref": refs[s.ProblemOut]}}}
    codes = set(doc.errors) | {413, 429} if doc.method != "GET" else set(doc.errors) | {429}
    if doc.body is not None:
        codes.add(422)
    if "<" in doc.rule:  # a path parameter that is not a valid value: no such URL, 404
        codes.add(404)
    for code in sorted(codes):
        operation["responses"][str(code)] = {
            "description": _STATUS_TEXT.get(code, "Error"), "content": problem,
        }
    return operation


def build_document(endpoints: list[EndpointDoc]) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document for `endpoints`."""
    models: set[type[BaseModel]] = {s.ProblemOut}
    for doc in endpoints:
        models.update(m for m in (doc.body, doc.response) if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    keys, schema = models_json_schema(
        [(m, "validation" if issubclass(m, s.In) else "serialization") for m in ordered],
        ref_template="#/components/schemas/{model}",
    )
    refs = {model: keys[(model, mode)]["$ref"] for (model, mode) in keys}
    paths: dict[str, dict[str, Any]] = {}
    for doc in endpoints:
        path, _ = openapi_path(doc.rule)
        paths.setdefault(path, {})[doc.method.lower()] = _operation(doc, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Saheli API",
            "version": "1",
            "description": "Peer-support forum for women facing online harassment.",
        },
        "paths": paths,
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "saheli_session"},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_document() -> Any:
    """Serve the document (built once per process: it only changes with the code)."""
    cached = current_app.extensions.get("forum.openapi")
    if cached is None:
        cached = build_document(ENDPOINTS)
        current_app.extensions["forum.openapi"] = cached
    return cached
