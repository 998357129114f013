"""The OpenAPI document describes every API route and is valid OpenAPI 3.1."""

from __future__ import annotations

import re

from openapi_spec_validator import validate


def test_document_is_valid_openapi_31(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_registered_api_route_is_documented(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.rule == "/api/v1/openapi.json":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (path, method) not in documented:
                missing.append((path, method))
    assert missing == []


def test_request_schemas_come_from_the_validating_models(client):
    document = client.get("/api/v1/openapi.json").get_json()
    register = document["paths"]["/api/v1/auth/register"]["post"]
    ref = register["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"handle", "password"}
