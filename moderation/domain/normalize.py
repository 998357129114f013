"""Fold text so that evasions read like the words they hide, and map folded spans back.

Why: harassers write ``k.i.l.l``, ``k1ll``, ``kіll`` (Cyrillic і), ``kiiiill`` or hide zero-width
characters inside words; Urdu writers mix Arabic and Urdu code points for one letter (ي/ی, ك/ک,
ه/ہ/ھ) and add harakat or tatweel. Matching runs on the folded text; censoring and word-boundary
checks run on the original, through the offset map.

Stages, in order (each chosen to be idempotent, so ``normalize(normalize(x).text).text`` equals
``normalize(x).text``):

1. per character, one ``str.translate``: compatibility decomposition (NFKD: NFKC's folding, without
   recomposition since marks go next), case folding, removal of combining marks, format and bidi
   controls, zero-width and filler characters and tatweel; TR39 confusables whose prototype is a
   Latin letter or digit (non-Arabic-script sources only, see ``build_confusables.py``) and Latin
   small capitals (``ɴ``), which TR39 does not list; Arabic and
   Urdu letter variants; decimal digits of every script to ASCII;
2. letters split by spaces, dots, dashes, underscores or stars are joined (``k i l l`` → ``kill``),
   when at least three single letters stand in a row with the same separator between them (so
   ``k.i.l.l u`` keeps its ``u``);
3. leetspeak and symbols (``0 1 3 4 5 7 8 9 @ $ ! |``) become letters inside tokens that also hold
   a letter, so ``k1ll`` folds but ``1000`` and ``+92`` stay numbers and ``hi!`` keeps its ``!``;
4. runs of three or more identical letters shrink to two (``kiiiill`` → ``kiill``; the matcher
   accepts a doubled letter where the rule has a single one).

The offset map is lazy: most messages match nothing, and the fast path never builds it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

__all__ = ["Normalized", "normalize", "fold_char_table"]

_DATA = Path(__file__).with_name("data")

# Arabic-script letter variants → the Urdu letter (Urdu orthography is the target).
_URDU_VARIANTS = {
    "\u064a": "\u06cc",  # ARABIC YEH → FARSI YEH (Urdu choti ye)
    "\u0649": "\u06cc",  # ALEF MAKSURA
    "\u06d0": "\u06cc",  # ARABIC LETTER E
    "\u0643": "\u06a9",  # ARABIC KAF → KEHEH
    "\u06aa": "\u06a9",  # SWASH KAF
    "\u0647": "\u06c1",  # ARABIC HEH → HEH GOAL
    "\u06be": "\u06c1",  # HEH DOACHASHMEE
    "\u06d5": "\u06c1",  # AE
    "\u0629": "\u06c1",  # TEH MARBUTA
    "\u06c3": "\u06c1",  # TEH MARBUTA GOAL
}
# Characters that carry no letter: fillers that render blank, tatweel, and controls.
_ALWAYS_REMOVE = {"\u0640", "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "9": "g",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
    }
)
_LEET_CHARS = re.compile(r"[0-9@$!|]+")
_LEET_TOKEN = re.compile(r"[\w@$!|]+")
_JOIN_HINT = re.compile(r"[^\W_][ .\-_*]+[^\W_][ .\-_*]+[^\W_]")
# Two passes, marked separators first (``d.a.r.n``, ``k - i - l - l``), then plain spaces, so
# stray single letters before a dotted word (``u r k.i.l.l``) cannot swallow its first letter.
_JOIN_MARKED = re.compile(
    r"(?<![^\W_])[^\W_]( *[.\-_*][ .\-_*]*)[^\W_](?:\1[^\W_])+(?![^\W_])"
)
_JOIN_SPACED = re.compile(r"(?<![^\W_])[^\W_]( +)[^\W_](?:\1[^\W_])+(?![^\W_])")
_JOINS = (_JOIN_MARKED, _JOIN_SPACED)
_SEPARATORS = re.compile(r"[ .\-_*]+")
_RUN3_HINT = re.compile(r"(.)\1\1", re.S)
_RUN3 = re.compile(r"([^\W\d_])\1\1+")
_TOKEN = re.compile(r"[^\W_]+")
# ɴɪɢɢᴇʀ: Latin small capitals are look-alikes TR39 does not list.
_SMALL_CAPITAL = re.compile(r"LATIN (?:SMALL )?LETTER SMALL CAPITAL ([A-Z])$")


def _plain(s: str) -> str:
    s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", s).casefold())
    out = []
    for ch in s:
        cat = unicodedata.category(ch)
        if cat[0] == "M" or cat == "Cf" or ch in _ALWAYS_REMOVE:
            continue
        if cat == "Cc" and not ch.isspace():
            continue
        out.append(ch)
    return "".join(out)


def _load_confusables() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in (_DATA / "confusables_latin.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            cp, target = line.split("\t")
            table[chr(int(cp, 16))] = target
    return table


def _scan_ranges() -> list[range]:
    # Everything assigned that can decompose, fold or be a mark; plane 2's bulk of CJK
    # ideographs never changes, so only its compatibility block is scanned.
    return [range(0, 0x20000), range(0x2F800, 0x30000), range(0xE0000, 0xE1000)]


@lru_cache(maxsize=1)
def fold_char_table() -> dict[int, str]:
    """The per-character folding as a ``str.translate`` table (only characters that change).

    Built once per process (about a tenth of a second) from Python's Unicode database and the
    shipped confusables file; each value is already a fixed point, which keeps folding idempotent.
    """
    confusables = _load_confusables()

    def one(ch: str) -> str:
        s = _plain(ch)
        out = []
        for c in s:
            small_capital = _SMALL_CAPITAL.match(unicodedata.name(c, ""))
            if small_capital and not c.isascii():
                c = small_capital.group(1).lower()
            c = _URDU_VARIANTS.get(c, c)
            c = confusables.get(c, c)
            if c.isdecimal() and not c.isascii():
                c = str(unicodedata.decimal(c))
            out.append(c)
        return "".join(out)

    table: dict[int, str] = {}
    for rng in _scan_ranges():
        for cp in rng:
            ch = chr(cp)
            folded = one(ch)
            for _ in range(4):  # iterate to a fixed point (a target may itself fold)
                again = "".join(one(c) for c in folded)
                if again == folded:
                    break
                folded = again
            if folded != ch:
                table[cp] = folded
    return table


def _fold_chars(text: str) -> str:
    if text.isascii():
        return _ascii_fold(text)
    return text.translate(fold_char_table())


_ASCII_CONTROLS = {i: None for i in range(32) if not chr(i).isspace()}
_ASCII_CONTROLS[127] = None


def _ascii_fold(text: str) -> str:
    low = text.lower()
    if not low.isprintable():
        low = low.translate(_ASCII_CONTROLS)
    return low


def _join_letters(s: str) -> str:
    if _JOIN_HINT.search(s) is None:
        return s
    for join in _JOINS:
        s = join.sub(lambda m: _SEPARATORS.sub("", m.group()), s)
    return s


def _leet_spans(s: str) -> list[tuple[int, int, str]]:
    """Tokens that mix leet symbols with letters, as (start, end, folded token)."""
    spans: list[tuple[int, int, str]] = []
    last_end = -1
    for m in _LEET_CHARS.finditer(s):
        a, b = m.span()
        if a < last_end:
            continue
        before = s[a - 1] if a else ""
        after = s[b] if b < len(s) else ""
        if not (before.isalpha() or after.isalpha()):
            continue
        # expand to the whole token around the run
        ta = a
        while ta > 0 and (s[ta - 1].isalnum() or s[ta - 1] in "@$!|" or s[ta - 1] == "_"):
            ta -= 1
        tok = _LEET_TOKEN.match(s, ta)
        if tok is None:
            continue
        ta, tb = tok.span()
        word = s[ta:tb]
        stripped = word.rstrip("!|")  # a trailing "!" is punctuation, not an i
        if not any(c.isalpha() for c in stripped):
            last_end = tb
            continue
        spans.append((ta, ta + len(stripped), stripped.translate(_LEET)))
        last_end = tb
    return spans


def _leet(s: str) -> str:
    if _LEET_CHARS.search(s) is None:
        return s
    spans = _leet_spans(s)
    if not spans:
        return s
    parts = []
    pos = 0
    for a, b, rep in spans:
        parts.append(s[pos:a])
        parts.append(rep)
        pos = b
    parts.append(s[pos:])
    return "".join(parts)


def _collapse(s: str) -> str:
    if _RUN3_HINT.search(s) is None:
        return s
    return _RUN3.sub(r"\1\1", s)


class Normalized:
    """A folded text and the way back to the original's offsets.

    ``text`` is what matching (and a learned detector) reads. ``to_original(start, end)`` maps a
    span of ``text`` to the span of ``original`` it came from, so the right characters are masked.
    """

    __slots__ = ("original", "text", "_starts", "_ends", "_tokens")

    def __init__(self, original: str, text: str) -> None:
        self.original = original
        self.text = text
        self._starts: list[int] | None = None
        self._ends: list[int] | None = None
        self._tokens: list[tuple[int, int]] | None = None

    def __repr__(self) -> str:
        return f"Normalized(text={self.text!r})"

    def token_spans(self) -> list[tuple[int, int]]:
        """Spans of the letter/digit tokens of ``text`` (the units word rules match)."""
        if self._tokens is None:
            self._tokens = [m.span() for m in _TOKEN.finditer(self.text)]
        return self._tokens

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open span [start, end) of ``text`` to a span of ``original``."""
        if self._starts is None:
            self._build_map()
        starts, ends = self._starts, self._ends
        assert starts is not None and ends is not None
        if not starts:
            return (0, 0)
        start = min(max(start, 0), len(starts) - 1)
        end = min(max(end, start + 1), len(ends))
        return (starts[start], ends[end - 1])

    def _build_map(self) -> None:
        original = self.original
        if original.isascii():
            s = _ascii_fold(original)
            if len(s) == len(original):
                starts = list(range(len(s)))
                ends = list(range(1, len(s) + 1))
            else:
                starts, ends = _char_map(original, s)
        else:
            s = _fold_chars(original)
            starts, ends = _char_map(original, s)
        s, starts, ends = _tracked_join(s, starts, ends)
        s = _leet(s)  # same length: the map is unchanged
        s, starts, ends = _tracked_collapse(s, starts, ends)
        self._starts, self._ends = starts, ends


def _char_map(original: str, folded: str) -> tuple[list[int], list[int]]:
    table = fold_char_table()
    starts: list[int] = []
    ends: list[int] = []
    ascii_ok = original.isascii()
    for i, ch in enumerate(original):
        if ascii_ok:
            out = _ascii_fold(ch)
        else:
            out = table.get(ord(ch), ch)
        n = len(out)
        if n:
            starts.extend([i] * n)
            ends.extend([i + 1] * n)
    return starts, ends


def _tracked_join(s: str, starts: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
    if _JOIN_HINT.search(s) is None:
        return s, starts, ends
    for join in _JOINS:
        if join.search(s) is None:
            continue
        keep = [True] * len(s)
        for m in join.finditer(s):
            for sep in _SEPARATORS.finditer(s, m.start(), m.end()):
                for i in range(sep.start(), sep.end()):
                    keep[i] = False
        s = "".join(c for c, k in zip(s, keep, strict=True) if k)
        starts = [v for v, k in zip(starts, keep, strict=True) if k]
        ends = [v for v, k in zip(ends, keep, strict=True) if k]
    return s, starts, ends


def _tracked_collapse(s: str, starts: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
    if _RUN3.search(s) is None:
        return s, starts, ends
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for m in _RUN3.finditer(s):
        a, b = m.span()
        out.append(s[pos:a])
        new_starts.extend(starts[pos:a])
        new_ends.extend(ends[pos:a])
        out.append(s[a] * 2)
        new_starts.extend([starts[a], starts[a + 1]])
        new_ends.extend([ends[a], ends[b - 1]])  # the second kept letter stands for the rest
        pos = b
    out.append(s[pos:])
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return "".join(out), new_starts, new_ends


def normalize(text: str) -> Normalized:
    """Fold ``text`` for matching; deterministic, idempotent and cheap when nothing needs folding."""
    s = _fold_chars(text)
    s = _join_letters(s)
    s = _leet(s)
    s = _collapse(s)
    return Normalized(text, s)
