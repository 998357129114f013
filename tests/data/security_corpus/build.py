"""Rebuild payloads.json, the fixed sample of ../shared/data/security/ used by
tests/security/test_hostile_corpus.py.

Run from the repository root: `python tests/data/security_corpus/build.py [SHARED_SECURITY_DIR]`.
The sample is stratified and deterministic: from each source file, every k-th entry (k chosen so
the file gives about its quota), in file order, skipping blanks, comments and duplicates. The
answer is committed, so the tests do not need the shared folder; rerunning this on the same
corpus commits gives the same file.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parents[3] / "shared" / "data" / "security"

# (source label, relative path, quota)
LINE_FILES = [
    ("payloadbox_xss", "payloadbox_xss/xss-payload-list.txt", 50),
    ("payloadbox_sqli", "payloadbox_sqli/Auth_Bypass.txt", 6),
    ("payloadbox_sqli", "payloadbox_sqli/GenericBlind.txt", 4),
    ("payloadbox_sqli", "payloadbox_sqli/Generic_ErrorBased.txt", 6),
    ("payloadbox_sqli", "payloadbox_sqli/Generic_SQLI.txt", 8),
    ("payloadbox_sqli", "payloadbox_sqli/Generic_TimeBased.txt", 5),
    ("payloadbox_sqli", "payloadbox_sqli/Generic_UnionSelect.txt", 6),
    ("payloadbox_sqli", "payloadbox_sqli/no-sql.txt", 4),
    ("payloadbox_sqli", "payloadbox_sqli/xplatform.txt", 6),
]
BLNS_QUOTA = 50
OWASP_QUOTA = 20
MAX_LEN = 1000


def every_kth(items: list[str], quota: int) -> list[str]:
    if len(items) <= quota:
        return items
    step = len(items) / quota
    return [items[int(i * step)] for i in range(quota)]


def lines_of(path: Path) -> list[str]:
    out = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if raw.strip() and not raw.startswith("#") and len(raw) <= MAX_LEN:
            out.append(raw)
    return out


def bleach_cases(root: Path) -> list[str]:
    cases = []
    for n in range(1, 100):
        path = root / "bleach_tests" / f"{n}.test"
        if not path.exists():
            break
        given = path.read_text(encoding="utf-8").split("\n--\n", 1)[0]
        cases.append(given)
    return cases


def owasp_blocks(root: Path) -> list[str]:
    text = (root / "owasp_cheatsheets" / "XSS_Filter_Evasion_Cheat_Sheet.md").read_text("utf-8")
    blocks = re.findall(r"^```[a-z]*\n(.*?)\n```", text, flags=re.MULTILINE | re.DOTALL)
    blocks = [b.replace("\\<", "<").replace("\\>", ">") for b in blocks if 0 < len(b) <= MAX_LEN]
    return every_kth(blocks, OWASP_QUOTA)


def build(root: Path) -> list[dict[str, str]]:
    chosen: list[dict[str, str]] = []
    seen: set[str] = set()

    def add(source: str, payloads: list[str]) -> None:
        for payload in payloads:
            if payload not in seen:
                seen.add(payload)
                chosen.append({"source": source, "payload": payload})

    blns = [s for s in json.loads((root / "blns" / "blns.json").read_text("utf-8")) if s.strip()]
    add("blns", every_kth(blns, BLNS_QUOTA))
    for source, relative, quota in LINE_FILES:
        add(source, every_kth(lines_of(root / relative), quota))
    add("bleach_tests", bleach_cases(root))
    add("owasp_cheatsheets", owasp_blocks(root))
    return chosen


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    payloads = build(root)
    (HERE / "payloads.json").write_text(
        json.dumps(payloads, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(len(payloads), "payloads")
