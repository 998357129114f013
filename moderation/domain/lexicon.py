"""Read the shipped lexicon files (``lexicons/*.tsv``) into rules.

Why a loader of its own: entries are written compactly with alternatives (``{i will|i'll} kill
you``), so one reviewed line covers the spellings a threat takes, and every expansion keeps the
entry's stable id (``lexicon:en:threat:3``) for reason codes and moderators.

File format (UTF-8, TAB separated, ``#`` starts a comment line), one entry a line::

    language  category  action  kind  pattern  source
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from moderation.domain.rules import RuleSpec

__all__ = ["LEXICON_DIR", "LexiconEntry", "expand", "read_lexicon", "lexicon_rules"]

LEXICON_DIR = Path(__file__).with_name("lexicons")
MAX_EXPANSIONS = 2048
_ALTERNATIVES = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One reviewed line of a lexicon file."""

    id: str
    language: str
    category: str
    action: str
    kind: str
    pattern: str
    source: str


def expand(pattern: str) -> list[str]:
    """Expand ``{a|b}`` alternatives (an empty alternative drops the slot); capped at 2,048."""
    m = _ALTERNATIVES.search(pattern)
    if m is None:
        return [" ".join(pattern.split())]
    out: list[str] = []
    for alt in m.group(1).split("|"):
        for rest in expand(pattern[: m.start()] + alt + pattern[m.end() :]):
            if rest and rest not in out:
                out.append(rest)
            if len(out) >= MAX_EXPANSIONS:
                return out
    return out


def read_lexicon(path: Path, id_prefix: str = "lexicon") -> Iterator[LexiconEntry]:
    """Yield the entries of one file with ids ``{prefix}:{language}:{category}:{n}``."""
    counters: dict[tuple[str, str], int] = {}
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        fields = raw.split("\t")
        if len(fields) < 5:
            raise ValueError(f"{path.name}:{lineno}: expected 6 TAB-separated fields")
        language, category, action, kind, pattern = (f.strip() for f in fields[:5])
        source = fields[5].strip() if len(fields) > 5 else "project"
        n = counters.get((language, category), 0) + 1
        counters[(language, category)] = n
        yield LexiconEntry(
            f"{id_prefix}:{language}:{category}:{n}",
            language,
            category,
            action,
            kind,
            pattern,
            source,
        )


def lexicon_rules(path: Path, id_prefix: str = "lexicon") -> list[RuleSpec]:
    """The rules one lexicon file stands for, alternatives expanded."""
    rules: list[RuleSpec] = []
    for e in read_lexicon(path, id_prefix):
        for pattern in expand(e.pattern):
            rules.append(RuleSpec(e.id, pattern, e.kind, e.action, e.category, e.language))
    return rules
