"""The JSON API, `/api/v1`: translators only — parse, load, call one service, shape the answer."""

from forum.api import accounts, boards, notifications, openapi, privacy, shield
from forum.api import rooms as rooms  # noqa: F401 - registers the rooms and support routes
from forum.api.core import ENDPOINTS, bp

__all__ = ["ENDPOINTS", "accounts", "boards", "bp", "notifications", "openapi", "privacy", "shield"]
