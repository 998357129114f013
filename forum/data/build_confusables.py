"""Derive `confusables.json` from Unicode's `confusables.txt` (UTS #39).

Why: handle uniqueness needs the TR39 skeleton, which maps every confusable character to its
prototype. The published text file is 500 KB of comments and layout; the forum needs only the
mapping, so this script keeps the mapping (and the version) in a compact JSON file that the
`forum.identity.handles` module loads once. Rerun it when Unicode publishes a new version:

    python forum/data/build_confusables.py /path/to/confusables-17.0.0.txt

The data is under the Unicode License v3 (`LICENSE-Unicode-V3.txt` beside this file).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

_VERSION = re.compile(r"^#\s*Version:\s*(\S+)", re.MULTILINE)


def parse_confusables(text: str) -> dict[str, str]:
    """Map each source character of `confusables.txt` to its prototype string."""
    mapping: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = [f.strip() for f in line.split(";")]
        if len(fields) < 2:
            continue
        source = "".join(chr(int(cp, 16)) for cp in fields[0].split())
        target = "".join(chr(int(cp, 16)) for cp in fields[1].split())
        mapping[source] = target
    return mapping


def build(source: Path, destination: Path) -> int:
    """Write the compact JSON for `source` to `destination`; return the number of mappings."""
    text = source.read_text(encoding="utf-8-sig")
    version_match = _VERSION.search(text)
    mapping = parse_confusables(text)
    payload = {
        "source": f"Unicode confusables.txt {version_match.group(1) if version_match else '?'}",
        "licence": "Unicode License v3, see LICENSE-Unicode-V3.txt",
        "version": version_match.group(1) if version_match else None,
        "mapping": dict(sorted(mapping.items())),
    }
    destination.write_text(
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    return len(mapping)


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(__file__).with_name("confusables.json"))
