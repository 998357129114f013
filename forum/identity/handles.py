"""Handle rules: what a pseudonym may look like, and when two pseudonyms are "the same".

Members of Saheli are known only by a handle, so a handle that *looks like* someone else's is
an impersonation tool: a harasser registering `аyesha` (Cyrillic а) next to `ayesha`, or a
troll calling herself `Moderat0r`. The public contract (API.md, Accounts) therefore says:

* a handle has 3–32 characters: Unicode letters (Urdu script included), digits and `_`;
* handles are unique after case folding and confusable folding (the Unicode TR39 skeleton).

`handle_key` computes that uniqueness key; store it in a unique column beside the handle as
typed. `is_reserved` refuses names that would pass for staff, the forum itself or the police.

The skeleton data is derived from Unicode's confusables.txt 17.0.0 (Unicode License v3, see
`forum/data/LICENSE-Unicode-V3.txt`). The skeleton folds many Arabic-script letters to Latin
look-alikes (ہ ھ ه → o): that is right for comparing handles and wrong for anything else, so
never use `handle_key` to match words in text.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources

__all__ = [
    "MAX_LENGTH",
    "MIN_LENGTH",
    "handle_key",
    "is_reserved",
    "normalize_handle",
    "skeleton",
    "validate_handle",
]

MIN_LENGTH = 3
MAX_LENGTH = 32
# More combining marks than this in a row is "Zalgo" text, never a real name.
_MAX_MARKS_IN_A_ROW = 2

# Digits and symbols read as letters ("leetspeak"); used only for the reserved-name check, where
# `Adm1n` and `M0derator` must be refused although the TR39 skeleton keeps them apart
# (it folds 1 to l, not i). `1` is ambiguous, so both readings are tried.
_LEET_READINGS: tuple[dict[str, str], ...] = (
    {"0": "o", "1": "i", "2": "z", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b",
     "9": "g"},
    {"0": "o", "1": "l", "2": "z", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b",
     "9": "g"},
)


@cache
def _confusables() -> dict[str, str]:
    """Load the TR39 prototype mapping once (about 6,500 entries)."""
    data = resources.files("forum.data").joinpath("confusables.json").read_text("utf-8")
    mapping: dict[str, str] = json.loads(data)["mapping"]
    return mapping


def _is_default_ignorable(char: str) -> bool:
    """Approximate Default_Ignorable_Code_Point (not exposed by `unicodedata`).

    Format characters (Cf: zero-width joiners, bidi controls, soft hyphen...) plus variation
    selectors and the Hangul fillers cover what matters for handles.
    """
    code = ord(char)
    return (
        unicodedata.category(char) == "Cf"
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or code in (0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x180B, 0x180C, 0x180D, 0x180F)
    )


def skeleton(text: str) -> str:
    """The UTS #39 skeleton of `text`: NFD, drop default ignorables, map prototypes, NFD.

    Two strings with the same skeleton are visually confusable.
    """
    mapping = _confusables()
    decomposed = unicodedata.normalize("NFD", text)
    mapped = "".join(
        mapping.get(char, char) for char in decomposed if not _is_default_ignorable(char)
    )
    return unicodedata.normalize("NFD", mapped)


def normalize_handle(handle: str) -> str:
    """The form of a handle to store and display: NFC, so that é typed two ways is one handle."""
    return unicodedata.normalize("NFC", handle)


def _without_nonspacing_marks(text: str) -> str:
    """NFD, then every nonspacing mark (category Mn: accents, a dot below, harakat) dropped."""
    return "".join(
        char for char in unicodedata.normalize("NFD", text) if unicodedata.category(char) != "Mn"
    )


def handle_key(handle: str) -> str:
    """The uniqueness key of a handle: NFKC, case folding, nonspacing marks dropped, TR39
    skeleton, case folding again, marks dropped again.

    `ayesha`, `AYESHA` and `аyesha` (Cyrillic а) share one key. The final case fold is there
    because some prototypes are capitals (the digit 0 folds to `O`), so `ayesha0` and
    `AYESHAO` must meet as well. The skeleton keeps combining marks, so `saịma` (a dot below)
    or `ádmin` would pass for `saima` and `admin`: nonspacing marks are dropped, before
    the skeleton and after it (issue #12). Urdu letters stay letters (only its optional
    harakat and the hamza or madda of a decomposed letter go). The key is for comparison
    only; never show it.
    """
    folded = _without_nonspacing_marks(unicodedata.normalize("NFKC", handle).casefold())
    return _without_nonspacing_marks(skeleton(folded).casefold())


def _is_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L")


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Mc")


def _is_digit(char: str) -> bool:
    return unicodedata.category(char) == "Nd"


def validate_handle(handle: str) -> list[str]:
    """Human-readable problems with `handle` (empty when it is acceptable).

    Allowed: Unicode letters of any script (with the combining marks that scripts such as
    Urdu's or Devanagari's need after a letter), decimal digits of any script, and `_`.
    Length is counted in characters of the NFC form. Reserved names are checked separately by
    `is_reserved`, and uniqueness by comparing `handle_key`s, because both need more context.
    """
    if not isinstance(handle, str):
        return ["The handle must be text."]
    problems: list[str] = []
    value = normalize_handle(handle)
    if len(value) < MIN_LENGTH:
        problems.append(f"The handle must have at least {MIN_LENGTH} characters.")
    if len(value) > MAX_LENGTH:
        problems.append(f"The handle must have at most {MAX_LENGTH} characters.")
    if any(char.isspace() for char in value):
        problems.append("The handle cannot contain spaces; use _ instead.")

    bad: list[str] = []
    marks_in_a_row = 0
    previous_is_base = False
    mark_problem = False
    for char in value:
        if _is_letter(char) or _is_digit(char) or char == "_":
            previous_is_base = _is_letter(char)
            marks_in_a_row = 0
        elif _is_mark(char):
            marks_in_a_row += 1
            if not previous_is_base or marks_in_a_row > _MAX_MARKS_IN_A_ROW:
                mark_problem = True
        elif not char.isspace() and char not in bad:
            bad.append(char)
    if bad:
        shown = " ".join(repr(char) for char in bad[:5])
        problems.append(f"The handle may contain only letters, digits and _ (not {shown}).")
    if mark_problem:
        problems.append("Accents and vowel marks must follow a letter, at most two at a time.")
    if value and value.strip("_") == "":
        problems.append("The handle needs at least one letter or digit.")
    return problems


@cache
def _reserved() -> tuple[frozenset[str], tuple[str, ...]]:
    """Keys of the reserved names: (exact names, names refused anywhere inside a handle)."""
    text = resources.files("forum.data").joinpath("reserved_handles.txt").read_text("utf-8")
    exact: set[str] = set()
    inside: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("*") and line.endswith("*") and len(line) > 2:
            key = handle_key(line[1:-1])
            inside.append(key)
            exact.add(key)
        else:
            exact.add(handle_key(line))
    return frozenset(exact), tuple(sorted(set(inside)))


def _variants(handle: str) -> set[str]:
    """Spellings to test against the reserved list: as typed, without `_`, without a number
    suffix (`admin_2`), and with digits read as letters (`adm1n`, `m0d`)."""
    base = unicodedata.normalize("NFKC", handle).casefold()
    forms = {base, base.replace("_", ""), base.rstrip("0123456789_"),
             base.replace("_", "").rstrip("0123456789")}
    for reading in _LEET_READINGS:
        table = str.maketrans(reading)
        forms |= {form.translate(table) for form in list(forms)}
    return {handle_key(form) for form in forms if form}


def is_reserved(handle: str) -> bool:
    """True when `handle` would pass for staff, the forum, a helpline or the police.

    Compared by `handle_key`, so confusable spellings (`Аdmin` with Cyrillic А, `ADMIN`) are
    refused too; digits read as letters (`Adm1n`, `M0derator`) and numbered or underscored
    forms (`admin_2`, `ad_min`) as well. A few long names (moderator, counsellor, saheli...)
    are refused anywhere inside a handle (`saheli_team`, `moderator_sara`).
    """
    exact, inside = _reserved()
    for key in _variants(handle):
        if key in exact:
            return True
        if any(word in key for word in inside):
            return True
    return False
