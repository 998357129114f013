"""The API's plumbing: the blueprint and `endpoint`, which declares a view and records what
the OpenAPI document says of it, so the same pydantic models validate a request and describe it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError

from forum import db
from forum.api import idempotency
from forum.errors import Invalid, NotFound, Unauthorized
from forum.http.limits import limited
from forum.http.pagecache import page_cache, read_gate
from forum.http.sessions import csrf, current_actor
from forum.policy import Actor

bp = Blueprint("api", __name__, url_prefix="/api/v1")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class EndpointDoc:
    """What the OpenAPI document says of one route."""

    rule: str
    method: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = True
    query: tuple[tuple[str, str], ...] = ()
    errors: tuple[int, ...] = field(default_factory=tuple)


ENDPOINTS: list[EndpointDoc] = []


#: Deepest nesting of arrays and objects a request body may have. No request needs more than a
#: few levels; hundreds would exhaust the recursion of the parser and the validators (a 500).
MAX_JSON_DEPTH = 32

# A string, to its closing quote or the end of the text; possessive, so it runs in linear time
# whatever the text (an unterminated string or a lone backslash cannot make it backtrack).
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


def json_too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text `raw` nests arrays and objects deeper than `limit`, found without
    parsing it (no recursion): strings are cut out, then the brackets left are counted."""
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_A_BRACKET)
    depth = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _is_json_type(mimetype: str) -> bool:
    return mimetype == "application/json" or mimetype.endswith("+json")


def request_json() -> dict[str, Any]:
    """The request's JSON object, parsed once per request and kept in `g.request_body`.

    The one place a JSON body is read: the views (through `parse_body`) and the abuse limits
    keyed on a field (`forum.http.limits.account_key`) see the same parsed object, whatever the
    content type claims. An empty body is `{}`; a body sent with another content type than
    JSON (a form, text), malformed JSON, JSON nested deeper than `MAX_JSON_DEPTH` and anything
    but an object are 422 `validation_failed`."""
    cached = g.get("request_body")
    if cached is not None:
        return cached
    raw = request.get_data(cache=True)
    if not raw.strip():
        data: Any = {}
    else:
        if request.mimetype and not _is_json_type(request.mimetype):
            raise Invalid({"body": ["Send the body as JSON, with Content-Type: application/json."]},
                          "Only JSON bodies are accepted.")
        if json_too_deep(raw):
            raise Invalid({"body": [f"JSON nested more than {MAX_JSON_DEPTH} levels deep."]},
                          "The request body is nested too deeply.")
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise Invalid({"body": ["The request body is not valid JSON."]},
                          "Malformed JSON.") from None
    if not isinstance(data, dict):
        raise Invalid({"body": ["Send a JSON object."]})
    g.request_body = data
    return data


def parse_body(model: type[BaseModel]) -> BaseModel:
    """Validate the JSON body against `model`; malformed JSON and wrong fields are 422."""
    data = request_json()
    bad = _fields_with_nul(data)
    if bad:
        # PostgreSQL cannot store U+0000 and no member means to type it: refuse, name the field.
        raise Invalid({name: ["Contains a NUL character."] for name in bad})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for item in exc.errors(include_url=False, include_input=False):
            name = ".".join(str(part) for part in item["loc"]) or "body"
            errors.setdefault(name, []).append(item["msg"])
        raise Invalid(errors) from None


def _fields_with_nul(value: Any, path: str = "") -> list[str]:
    """The dotted names of the string fields (at any depth) that hold a NUL character."""
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in _fields_with_nul(v, f"{path}.{k}".strip("."))]
    if isinstance(value, list):
        return [n for i, v in enumerate(value) for n in _fields_with_nul(v, f"{path}.{i}")]
    return []


def _as_response(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, tuple):
        payload, status = result
        if payload is None:
            return Response(status=status)
        response = jsonify(payload)
        response.status_code = status
        return response
    return jsonify(result)


def finish(result: Any, remember: Callable[[Response], None] | None = None) -> Response:
    """Commit the unit of work, then run side effects queued for after the commit.
    `remember` keeps the answer (an `Idempotency-Key`'s) in the same transaction."""
    response = _as_response(result)
    if remember is not None:
        remember(response)
    db.session().commit()
    for effect in g.pop("after_commit", []):
        effect()
    return response


def _run(view: Callable[..., Any], args: list[Any], kwargs: dict[str, Any], actor: Actor
         ) -> Response:
    """Run a writing view in its transaction; with an `Idempotency-Key` from an account,
    answer a retry with the first answer, and keep the first answer with its work."""
    key = idempotency.requested_key() if request.method == "POST" else None
    user_id = actor.id if actor.is_authenticated else None
    if key is None or user_id is None:
        return finish(view(*args, **kwargs))
    session = db.session()
    again = idempotency.replay(session, user_id, key)
    if again is not None:
        session.rollback()
        return again
    try:
        return finish(view(*args, **kwargs),
                      lambda response: idempotency.remember(session, user_id, key, response))
    except IntegrityError:
        # The same key, retried at the same moment: that request won; answer its answer.
        session.rollback()
        g.pop("after_commit", None)
        again = idempotency.replay(session, user_id, key)
        if again is None:
            raise
        session.rollback()
        return again


def after_commit(effect: Callable[[], None]) -> None:
    """Queue a side effect (an emit, a publish) to run once the request has committed."""
    g.setdefault("after_commit", []).append(effect)


def endpoint(
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    auth: bool = True,
    query: tuple[tuple[str, str], ...] = (),
    errors: tuple[int, ...] = (),
    blueprint: Blueprint | None = None,
    limit: str | None = None,
    reads: bool = False,
    cached: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an API view. The view receives the actor, then the parsed body if any, then
    the URL's arguments. Plug-ins (moderation) pass their own `blueprint` under `/api/v1`.
    `limit` names the abuse limits of `forum.http.limits.LIMITS` that apply. `reads`: the view
    only reads, or writes a single audit row at most, so it runs outside a transaction
    (`forum.db.Database.new_session`). `cached`: a `reads` view whose answers
    `forum.http.pagecache` may serve again until anything in the forum is written."""
    if (reads or cached) and method not in SAFE_METHODS:
        raise ValueError(f"{method} {rule}: only a safe method can be `reads` or `cached`")
    if cached and not reads:
        raise ValueError(f"{method} {rule}: a `cached` view must be declared `reads`")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        limited_view = limited(limit)(view) if limit else view
        ENDPOINTS.append(
            EndpointDoc(rule, method, summary, tag, body, response, status, auth, query, errors)
        )

        @functools.wraps(view)
        def handle(**kwargs: Any) -> Response:
            if not reads:
                return serve(**kwargs)
            with read_gate():
                return serve(**kwargs)

        def serve(**kwargs: Any) -> Response:
            if any(isinstance(v, str) and "\x00" in v for v in kwargs.values()):
                raise NotFound("Not found.")  # no slug holds a NUL character
            ticket = None
            if cached:
                g.db_reading = True
                cache = page_cache()
                found = cache.lookup() if cache is not None else None
                if isinstance(found, Response):
                    return found
                ticket = found
            if reads:
                g.db_reading = True
            actor: Actor = current_actor()
            if method not in SAFE_METHODS and g.get("auth_kind") == "session":
                csrf.protect()
            if auth and not actor.is_authenticated:
                raise Unauthorized("Sign in first: send `Authorization: Bearer TOKEN`.")
            args: list[Any] = [actor]
            if body is not None:
                args.append(parse_body(body))
            try:
                response = _run(limited_view, args, kwargs, actor)
            except BaseException:
                db.session().rollback()
                raise
            cache = page_cache()
            if ticket is not None and cache is not None:  # a ticket comes from the cache
                cache.remember(ticket, actor, response)
            return response

        (blueprint or bp).add_url_rule(
            rule, endpoint=f"{view.__module__.rsplit('.', 1)[-1]}_{view.__name__}",
            view_func=handle, methods=[method],
        )
        return handle

    return decorate


def int_arg(name: str) -> int | None:
    """An optional integer query argument; 422 when it is not one."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid({name: ["Must be a whole number."]}) from None

