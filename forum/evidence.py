"""The evidence chain: a member's reports, hash-chained so a complaint can be verified.

API.md fixes the format: each entry's `hash` is the SHA-256 hex of the UTF-8 bytes of the
previous entry's hash (empty for the first) followed by the canonical JSON of
`{"report", "snapshot"}` — keys sorted, separators `,` and `:`, non-ASCII characters as
themselves. `head` is the last hash. Pure functions, so the server, the `forum verify-evidence`
command and anyone with Python can check a file the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no spaces, and non-ASCII characters as themselves."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, report: Any, snapshot: Any) -> str:
    """The hash of one entry, chained to the previous one."""
    payload = prev_hash + canonical_json({"report": report, "snapshot": snapshot})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def build_chain(items: Iterable[tuple[Any, Any]]) -> dict[str, Any]:
    """`{"entries": [...], "head"}` for `(report, snapshot)` pairs, oldest first."""
    entries = []
    prev = ""
    for report, snapshot in items:
        digest = entry_hash(prev, report, snapshot)
        entries.append({"report": report, "snapshot": snapshot, "prev_hash": prev, "hash": digest})
        prev = digest
    return {"entries": entries, "head": prev}


def verify_chain(document: Any) -> list[str]:
    """Problems found in an evidence document; an empty list means it is intact."""
    problems: list[str] = []
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        return ["The file is not a Saheli evidence document (no `entries` list)."]
    prev = ""
    for number, entry in enumerate(document["entries"], start=1):
        if not isinstance(entry, dict) or not {"report", "snapshot", "prev_hash", "hash"} <= set(entry):
            problems.append(f"Entry {number} is incomplete.")
            break
        if entry["prev_hash"] != prev:
            problems.append(f"Entry {number} does not follow the entry before it.")
        expected = entry_hash(prev, entry["report"], entry["snapshot"])
        if entry["hash"] != expected:
            problems.append(f"Entry {number} was changed after it was exported.")
        prev = entry["hash"]
    if document.get("head") != prev:
        problems.append("The `head` does not match the last entry: entries were added or removed.")
    return problems
