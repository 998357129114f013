"""Light on the wire: gzip for text answers, fingerprinted static files cached for a year.

Members read Saheli on cheap phones over slow, metered links (issue #19). Every text answer
(pages, CSS, JavaScript, JSON) above `MIN_SIZE` bytes is gzipped when the browser accepts it,
with `Vary: Accept-Encoding` so no cache hands the gzipped copy to a client that cannot read it.
Static files get a content fingerprint in their address (`/static/css/site.css?v=1a2b3c4d5e`,
added by `url_for`); an address carrying the current fingerprint is `immutable` for a year, so a
revisit costs no request at all, and a change to the file changes its address. Static files are
gzipped once per version and kept in memory (the Socket.IO client is 47 KB, 15 KB gzipped).

Brotli would save a little more, but it is not in the standard library; gzip is.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request

#: Smaller answers are sent as they are: gzip's header and the CPU cost outweigh the saving.
MIN_SIZE = 512
#: A fingerprinted static file never changes under its address.
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
    "application/json", "application/problem+json", "image/svg+xml",
})
#: Level 6: nearly all of level 9's saving for a third of its CPU.
LEVEL = 6

_lock = threading.Lock()
_fingerprints: dict[str, tuple[float, str]] = {}
_gzipped: dict[tuple[str, str], bytes] = {}


def fingerprint(app: Flask, filename: str) -> str | None:
    """The first ten hex digits of the static file's SHA-256 (cached until its mtime changes);
    None when the file does not exist."""
    folder = app.static_folder
    if folder is None:
        return None
    path = Path(folder) / filename
    try:
        mtime = path.stat().st_mtime
    except (OSError, ValueError):
        return None
    known = _fingerprints.get(filename)
    if known and known[0] == mtime:
        return known[1]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    with _lock:
        _fingerprints[filename] = (mtime, digest)
    return digest


def _add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
    """`url_for('static', filename=...)` gains `?v=<fingerprint>` (cache busting)."""
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    digest = fingerprint(current_app, str(values["filename"]))
    if digest:
        values["v"] = digest


def accepts_gzip() -> bool:
    """Whether the client said it reads gzip (and did not refuse it with q=0)."""
    return request.accept_encodings["gzip"] > 0


def _static_headers(response: Response) -> None:
    """A year for the current fingerprint; anything else is revalidated (ETag) every time."""
    filename = (request.view_args or {}).get("filename", "")
    asked = request.args.get("v")
    if asked and asked == fingerprint(current_app, filename):
        response.headers["Cache-Control"] = IMMUTABLE
    else:
        response.headers["Cache-Control"] = "no-cache"


def _body_of(response: Response) -> bytes:
    """The whole body, reading a static file's stream if need be."""
    source = response.response
    response.direct_passthrough = False
    body = response.get_data()
    close = getattr(source, "close", None)
    if close is not None:  # a static file's handle, read to the end: let it go now
        close()
    return body


def _gzip_static(body: bytes) -> bytes:
    filename = (request.view_args or {}).get("filename", "")
    key = (filename, hashlib.sha256(body).hexdigest())
    found = _gzipped.get(key)
    if found is None:
        found = gzip.compress(body, compresslevel=LEVEL, mtime=0)
        with _lock:
            _gzipped[key] = found
    return found


def compress(response: Response) -> Response:
    """gzip a text answer above `MIN_SIZE` when the client accepts it (after every other hook)."""
    if request.endpoint == "static":
        _static_headers(response)
    if response.mimetype not in COMPRESSIBLE or response.status_code != 200:
        return response
    response.vary.add("Accept-Encoding")
    if (request.method == "HEAD" or "Content-Encoding" in response.headers
            or response.is_streamed and not response.direct_passthrough or not accepts_gzip()):
        return response
    body = _body_of(response)
    if len(body) < MIN_SIZE:
        return response
    packed = _gzip_static(body) if request.endpoint == "static" else gzip.compress(
        body, compresslevel=LEVEL, mtime=0)
    response.set_data(packed)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:  # the same resource, other bytes: a weak validator still matches
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    """Fingerprint static addresses and compress answers. Call before any other after-request
    hook is registered: Flask runs them in reverse, so this one sees the final body."""
    app.url_defaults(_add_fingerprint)
    app.after_request(compress)
