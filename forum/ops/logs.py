"""Logging that cannot leak a member's address.

A filter on every handler replaces anything shaped like an IPv4 or IPv6 address in a log
record with `[addr]`, so that neither the access log nor a library's error message can write
one (API.md, privacy guarantees). The server's access log is built without addresses in the
first place (see `forum.ops.server`); this is the safety net.
"""

from __future__ import annotations

import logging
import re

_IPV4 = r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])"
_IPV6 = r"(?<![:\w])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![:\w])"
ADDRESS = re.compile(f"{_IPV4}|{_IPV6}")


def redact(text: str) -> str:
    """`text` with every address-shaped run replaced by `[addr]`."""
    return ADDRESS.sub("[addr]", text)


class RedactAddresses(logging.Filter):
    """Rewrite the record's message so no address survives formatting."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logged as is, minus addresses
            message = str(record.msg)
        cause = getattr(record, "redis_exception", None)
        if cause is not None:  # python-socketio puts the Redis error only in `extra`
            message = f"{message} (cause: {cause!r})"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = RedactAddresses()


def install_address_redaction(*, create_handler: bool = False) -> None:
    """Attach the filter to the root logger's handlers; `serve` also creates the handler."""
    root = logging.getLogger()
    if create_handler and not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    for handler in root.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
