"""Word, phrase and regex rules compiled into one Aho–Corasick automaton per alphabet of keys.

Why an automaton: a naive alternation of thousands of rules costs milliseconds per message and
grows with every rule moderators add; an Aho–Corasick automaton reads the text once whatever the
number of rules. Rules and text are folded the same way (``normalize``), then turned into a *key*:
tokens separated by single spaces and wrapped in spaces, doubled letters squeezed. A rule ``ass``
becomes `` as `` and can only match a whole token, so ``class``, ``passage`` and ``assistant``
never hit; a hit is then checked again on the original text (letter before or after the span
means no hit), and the squeezed letters are checked against the rule (``as`` never hits ``ass``,
while ``aaasss`` still does).

Roman Urdu rules get a second automaton over a phonetic key that also folds the spelling variants
one word takes (ee/i, oo/u, aa/a, silent h, doubled consonants, q/k, w/v), which would be too loose
for English (``as`` and ``ass`` would meet).

Regex rules run on the folded text on RE2 (``google-re2``), whose matching time is linear in
the text whatever the pattern, so no text can make a rule backtrack. A rule stored before RE2
that RE2 cannot compile (backreferences, lookarounds) still runs on the ``regex`` module with a
per-rule timeout. All regex rules of one text share a hard budget (``REGEX_BUDGET_SECONDS`` of
CPU, block and hold rules first) that fails *closed*: when it runs out, or a legacy rule times
out, before every block or hold rule was checked, the text is held for review with the reason
``regex:budget:hold`` (``regex:budget:flag`` when only flag and censor rules were left), never
published past a rule nobody ran. ``check_regex`` is what moderators' new patterns must pass:
RE2 syntax, and no repetition shapes that are catastrophic on a backtracking engine.
"""

from __future__ import annotations

import importlib
import re
import time
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import ahocorasick
import re2

from moderation.domain.normalize import Normalized, normalize

# CPython's own regex parser (``re._parser``, ``re._constants``): the only way to walk a
# pattern's structure with the standard library. They are private and carry no type stubs, so
# they are typed ``Any`` here, in one place, instead of an ignore at every use.
_parser: Any = importlib.import_module("re._parser")
_sre: Any = importlib.import_module("re._constants")

_regex: Any  # the `regex` module (it gives matching a timeout) or None: callers test for None
try:
    _regex = importlib.import_module("regex")
except ImportError:  # pragma: no cover - exercised only where regex is missing
    _regex = None

__all__ = [
    "ACTIONS",
    "RULE_ACTIONS",
    "RULE_KINDS",
    "BUDGET_RULE_ID",
    "Hit",
    "InvalidRule",
    "RuleSet",
    "RuleSpec",
    "check_regex",
    "match_key",
    "roman_key",
    "validate_rule",
]

ACTIONS = ("allow", "censor", "flag", "hold", "block")  # ascending strength
RULE_ACTIONS = ("block", "hold", "flag", "censor")
RULE_KINDS = ("word", "phrase", "regex")
_RANK = {a: i for i, a in enumerate(ACTIONS)}
CRISIS = "crisis"  # the crisis lexicon's own action; never blocks
REGEX_TIMEOUT_SECONDS = 0.01  # per legacy (non-RE2) rule
#: CPU seconds all regex rules of one text may take together. RE2 searches a 20,000-character
#: text in tens of microseconds per rule, so only hundreds of rules (or a legacy rule that
#: backtracks) can reach it; ``bench/bench_text_cost.py`` measures the worst texts.
REGEX_BUDGET_SECONDS = 0.05
BUDGET_RULE_ID = "regex:budget"
MAX_PATTERN_LENGTH = 300
#: A repeat with more than this many iterations counts as unbounded for ``check_regex``.
_BIG_REPEAT = 10


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A moderator rule from the database, or a lexicon entry.

    ``pattern`` of a word rule may end in ``*`` to match any word it begins (``fuck*``).
    """

    id: str
    pattern: str
    kind: str
    action: str
    category: str = "custom"
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule that matched, with the span of the original text it matched."""

    rule: RuleSpec
    start: int
    end: int


class InvalidRule(ValueError):
    """A rule that cannot be compiled (bad kind or action, empty pattern, unsafe regex)."""


# --- keys ---------------------------------------------------------------------------------

_ASCII_TOKEN_BYTES = bytes(c if (48 <= c <= 57 or 97 <= c <= 122) else 32 for c in range(256))
_TOKEN = re.compile(r"[^\W_]+")
_SQUEEZE = re.compile(r"(.)\1+")
_DOUBLES = [(c + c, c) for c in "abcdefghijklmnopqrstuvwxyz"]
# One-token text-speak that English threats use; only token-for-token, so offsets stay aligned.
_EN_SYNONYMS = ((" u ", " you "), (" ur ", " your "), (" r ", " are "), (" ya ", " you "))
# Applied after long vowels are folded (ee → i, oo → u) and letters squeezed, so kameena and
# kamina meet while kutte (dogs) and kutti stay apart.
_ROMAN_REWRITES = (
    ("q", "k"),
    ("w", "v"),
    ("ph", "f"),
    ("y ", "e "),
    ("iy", "i"),
    ("bh", "b"),
    ("dh", "d"),
    ("gh", "g"),
    ("jh", "j"),
    ("th", "t"),
    ("ah", "a"),
    ("eh", "e"),
    ("ih", "i"),
    ("oh", "o"),
    ("uh", "u"),
    ("aa", "a"),
    ("ee", "e"),
    ("ii", "i"),
    ("oo", "o"),
    ("uu", "u"),
)


def _spaced(folded: str) -> str:
    """Tokens of the folded text joined by single spaces, wrapped in spaces."""
    if folded.isascii():
        return " " + b" ".join(folded.encode().translate(_ASCII_TOKEN_BYTES).split()).decode() + " "
    return " " + " ".join(_TOKEN.findall(folded)) + " "


def _squeeze(s: str) -> str:
    if s.isascii():
        for pair, single in _DOUBLES:
            if pair in s:
                s = s.replace(pair, single)
        return s
    return _SQUEEZE.sub(r"\1", s)


def _en_synonyms(spaced: str) -> str:
    for old, new in _EN_SYNONYMS:
        if old in spaced:
            spaced = spaced.replace(old, new).replace(old, new)
    return spaced


def _roman(spaced: str, squeezed: str) -> str:
    if "ee" in spaced or "oo" in spaced:
        s = _squeeze(spaced.replace("ee", "i").replace("oo", "u"))
    else:
        s = squeezed
    for old, new in _ROMAN_REWRITES:
        if old in s:
            s = s.replace(old, new)
    return s


def match_key(folded: str) -> str:
    """The key word and phrase rules match on: whole tokens, letters squeezed, text-speak expanded."""
    return _en_synonyms(_squeeze(_spaced(folded)))


def roman_key(folded: str) -> str:
    """The looser phonetic key Roman Urdu rules match on (``kameena`` and ``kamina`` meet)."""
    spaced = _spaced(folded)
    return _roman(spaced, _squeeze(spaced))


# --- validation ---------------------------------------------------------------------------


def _safe_re_subset(pattern: str) -> None:
    """Reject ``re`` constructs that can backtrack without bound (used without ``regex``)."""

    def walk(items: Any, in_repeat: bool) -> None:
        for op, av in items:
            if op in (_sre.GROUPREF, _sre.GROUPREF_EXISTS, _sre.ASSERT, _sre.ASSERT_NOT):
                raise InvalidRule("backreferences and lookarounds are not allowed")
            if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
                lo, hi, sub = av
                if in_repeat:
                    raise InvalidRule("nested repeats are not allowed")
                if hi == _sre.MAXREPEAT and len(sub) != 1:
                    raise InvalidRule("unbounded repeats of groups are not allowed")
                walk(sub, True)
            elif op == _sre.SUBPATTERN:
                walk(av[-1], in_repeat)
            elif op == _sre.BRANCH:
                for branch in av[1]:
                    walk(branch, in_repeat)

    try:
        walk(_parser.parse(pattern), False)
    except re.error as exc:
        raise InvalidRule(f"invalid regular expression: {exc}") from exc


def validate_rule(spec: RuleSpec) -> None:
    """Raise ``InvalidRule`` if ``spec`` cannot be compiled; the rules API calls this on create."""
    if spec.kind not in RULE_KINDS:
        raise InvalidRule(f"unknown kind {spec.kind!r}")
    if spec.action not in RULE_ACTIONS and spec.action != CRISIS:
        raise InvalidRule(f"unknown action {spec.action!r}")
    if not spec.pattern or len(spec.pattern) > MAX_PATTERN_LENGTH:
        raise InvalidRule("pattern must be 1 to 300 characters")
    if spec.kind == "regex":
        _compile_regex(spec.pattern)  # RE2, or the legacy engine for rules stored before it
    elif not _TOKEN.search(normalize(spec.pattern.rstrip("*")).text):
        raise InvalidRule("pattern has no letters or digits")


def _re2_options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is the moderator's to fix, not a log line
    return options


_RE2_OPTIONS = _re2_options()


def _compile_regex(pattern: str) -> tuple[Any, bool]:
    """The compiled pattern (RE2's or ``regex``'s: both have ``search``) and whether it runs on
    RE2 (linear time). A pattern RE2 refuses
    (backreferences, lookarounds: only rules stored before RE2) falls back to ``regex``."""
    try:
        return re2.compile(pattern, _RE2_OPTIONS), True
    except re2.error:
        pass
    if _regex is not None:
        try:
            return _regex.compile(pattern, _regex.V0), False
        except _regex.error as exc:
            raise InvalidRule(f"invalid regular expression: {exc}") from exc
    _safe_re_subset(pattern)  # pragma: no cover - regex is a dependency
    return re.compile(pattern), False  # pragma: no cover


def check_regex(pattern: str) -> None:
    """Raise ``InvalidRule`` unless ``pattern`` may be saved as a new regex rule.

    It must compile on RE2 (no backreferences or lookarounds), which runs it in linear time.
    Patterns whose repetition is catastrophic on a backtracking engine — a repeat inside an
    unbounded repeat, ``(a+)+``, or repeated alternatives that can match the same text,
    ``(x|x)*`` — are refused too, although RE2 would run them safely: each
    means the same as a plain pattern (``a+``, ``x*``), and the rule stays safe wherever it is
    used (an export, another engine, a moderator's own tools).
    """
    if not pattern or len(pattern) > MAX_PATTERN_LENGTH:
        raise InvalidRule("pattern must be 1 to 300 characters")
    try:
        re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise InvalidRule(
            f"not a pattern Saheli can run ({detail}); backreferences and lookarounds are "
            "not supported"
        ) from exc

    try:
        parsed = _parser.parse(pattern)
    except (re.error, OverflowError, RecursionError):
        return  # RE2-only syntax such as \\pL: RE2 runs it in linear time anyway
    _check_repeats(parsed, 0)


def _check_repeats(items: Any, depth: int) -> None:

    if depth > 50:
        raise InvalidRule("the pattern nests too deeply")
    for op, av in items:
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            _lo, hi, sub = av
            if hi == _sre.MAXREPEAT or hi > _BIG_REPEAT:
                if _has_big_repeat(sub):
                    raise InvalidRule(
                        "a repeat inside a repeat, like (a+)+, can take exponential time; "
                        "write it once, like a+, or bound the outer repeat, like {1,10}"
                    )
                if _has_overlapping_branches(sub):
                    raise InvalidRule(
                        "repeated alternatives that can match the same text, like (x|x)*, can "
                        "take exponential time; make the alternatives start differently"
                    )
            _check_repeats(sub, depth + 1)
        elif op == _sre.SUBPATTERN:
            _check_repeats(av[-1], depth + 1)
        elif op == _sre.BRANCH:
            for branch in av[1]:
                _check_repeats(branch, depth + 1)
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            _check_repeats(av[1], depth + 1)


def _has_big_repeat(items: Any) -> bool:

    for op, av in items:
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            if av[1] == _sre.MAXREPEAT or av[1] > _BIG_REPEAT or _has_big_repeat(av[2]):
                return True
        elif op == _sre.SUBPATTERN and _has_big_repeat(av[-1]):
            return True
        elif op == _sre.BRANCH and any(_has_big_repeat(b) for b in av[1]):
            return True
    return False


#: Characters the overlap check tries: ASCII, Urdu letters, a few accented Latin letters.
_SAMPLE = "".join(chr(i) for i in range(9, 127)) + "ءآابپتٹثجچحخدڈذرڑزژسشصضطظعغفقکگلمنںوہھیےéçñü"


def _has_overlapping_branches(items: Any) -> bool:
    """An alternation (anywhere under ``items``, not under a further repeat) with two
    alternatives that can begin with the same character, or two that can match nothing."""

    for op, av in items:
        if op == _sre.BRANCH:
            firsts = [_first(b) for b in av[1]]
            if sum(1 for _chars, nullable in firsts if nullable) >= 2:
                return True
            seen: set[str] = set()
            for chars, _nullable in firsts:
                if seen & chars:
                    return True
                seen |= chars
            if any(_has_overlapping_branches(b) for b in av[1]):
                return True
        elif op == _sre.SUBPATTERN and _has_overlapping_branches(av[-1]):
            return True
    return False


def _first(items: Any) -> tuple[set[str], bool]:
    """The sample characters ``items`` can begin with, and whether it can match nothing."""

    chars: set[str] = set()
    for op, av in items:
        nullable = False
        if op == _sre.LITERAL:
            chars.add(chr(av))
        elif op == _sre.NOT_LITERAL:
            chars.update(ch for ch in _SAMPLE if ord(ch) != av)
        elif op == _sre.IN:
            chars.update(ch for ch in _SAMPLE if _in_class(av, ch))
        elif op == _sre.SUBPATTERN:
            sub, nullable = _first(av[-1])
            chars |= sub
        elif op == _sre.BRANCH:
            for branch in av[1]:
                sub, empty = _first(branch)
                chars |= sub
                nullable = nullable or empty
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            sub, empty = _first(av[2])
            chars |= sub
            nullable = empty or av[0] == 0
        elif op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            nullable = True
        else:  # ANY, a group reference, anything unusual: it may begin with anything
            chars.update(_SAMPLE)
        if not nullable:
            return chars, False
    return chars, True


def _any_char(ch: str) -> bool:
    return True


_CATEGORIES: dict[str, Callable[[str], bool]] = {
    "CATEGORY_DIGIT": str.isdigit,
    "CATEGORY_NOT_DIGIT": lambda ch: not ch.isdigit(),
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_NOT_SPACE": lambda ch: not ch.isspace(),
    "CATEGORY_WORD": lambda ch: ch.isalnum() or ch == "_",
    "CATEGORY_NOT_WORD": lambda ch: not (ch.isalnum() or ch == "_"),
}


def _in_class(items: Any, ch: str) -> bool:

    negate = False
    found = False
    for op, av in items:
        if op == _sre.NEGATE:
            negate = True
        elif op == _sre.LITERAL:
            found = found or ord(ch) == av
        elif op == _sre.RANGE:
            found = found or av[0] <= ord(ch) <= av[1]
        elif op == _sre.CATEGORY:
            found = found or _CATEGORIES.get(str(av), _any_char)(ch)
        else:
            found = True
    return found != negate


# --- the compiled set ---------------------------------------------------------------------


#: Hits kept per rule entry and message (censor rules keep all: each word must be masked).
_HITS_PER_RULE = 16


def _take(seen: defaultdict[int, int], idx: int, entry: _Entry) -> bool:
    """Count one more hit of ``entry``; False once it has enough (censor rules never do)."""
    if seen[idx] >= _HITS_PER_RULE and entry.rule.action != "censor":
        return False
    seen[idx] += 1
    return True


def _runs(s: str) -> list[tuple[str, int]]:
    return [(ch, sum(1 for _ in grp)) for ch, grp in groupby(s)]


def _runs_cover(text: str, pattern: str, prefix: bool) -> bool:
    """True when ``text`` spells ``pattern`` with each letter at least as often (stretching)."""
    tr, pr = _runs(text), _runs(pattern)
    if prefix:
        tr = tr[: len(pr)]
    if len(tr) != len(pr):
        return False
    return all(tc == pc and tn >= pn for (tc, tn), (pc, pn) in zip(tr, pr, strict=True))


@dataclass(frozen=True, slots=True)
class _Entry:
    rule: RuleSpec
    spaced: str  # the folded pattern, tokens spaced, synonyms expanded: for the run check
    ntokens: int
    prefix: bool


class _Automaton:
    """One Aho–Corasick automaton over rule keys; each hit names its key's length and entries.

    The automaton stores an int per key (its ordinal, in C), and the lengths and entry lists
    are packed arrays beside it: a Python tuple per key cost ~1.5 MB for the shipped lexicons
    in every server process, and hits are rare enough that unpacking one costs nothing that
    shows."""

    __slots__ = ("automaton", "empty", "_lengths", "_starts", "_entries")

    def __init__(self, keyed: dict[str, list[int]]) -> None:
        self.automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        self._lengths = array("I")
        self._starts = array("I", [0])  # the entries of key k: _entries[_starts[k]:_starts[k + 1]]
        self._entries = array("I")
        for ordinal, (key, idxs) in enumerate(keyed.items()):
            self.automaton.add_word(key, ordinal)
            self._lengths.append(len(key))
            self._entries.extend(idxs)
            self._starts.append(len(self._entries))
        self.empty = not keyed
        if keyed:
            self.automaton.make_automaton()

    def iter(self, key: str) -> Iterator[tuple[int, tuple[int, Sequence[int]]]]:
        """``(end, (key length, entry indices))`` for every key found in ``key``."""
        if self.empty:
            return
        lengths, starts, entries = self._lengths, self._starts, self._entries
        for end, k in self.automaton.iter(key):
            yield end, (lengths[k], entries[starts[k] : starts[k + 1]])


class RuleSet:
    """All rules compiled for matching; build once, share between requests (read-only)."""

    __slots__ = ("_entries", "_main", "_roman", "_regexes", "regex_budget", "size")

    def __init__(
        self,
        entries: list[_Entry],
        main: _Automaton,
        roman: _Automaton,
        regexes: list[tuple[RuleSpec, Any, bool]],
        regex_budget: float = REGEX_BUDGET_SECONDS,
    ) -> None:
        self._entries = entries
        self._main = main
        self._roman = roman
        # Strongest action first, RE2 before legacy: the budget reaches block rules first.
        self._regexes = sorted(regexes, key=lambda r: (-_RANK.get(r[0].action, 0), not r[2]))
        self.regex_budget = regex_budget
        self.size = len(entries) + len(regexes)

    @classmethod
    def compile(
        cls, rules: Iterable[RuleSpec], *, regex_budget: float | None = None
    ) -> RuleSet:
        """Compile ``rules``; invalid ones raise ``InvalidRule`` naming the rule.

        ``regex_budget`` is the CPU time in seconds all regex rules may take on one text
        (``REGEX_BUDGET_SECONDS`` by default)."""
        entries: list[_Entry] = []
        main: dict[str, list[int]] = {}
        roman: dict[str, list[int]] = {}
        regexes: list[tuple[RuleSpec, Any, bool]] = []
        for spec in rules:
            try:
                validate_rule(spec)
            except InvalidRule as exc:
                raise InvalidRule(f"{spec.id}: {exc}") from exc
            if spec.kind == "regex":
                regexes.append((spec, *_compile_regex(spec.pattern)))
                continue
            prefix = spec.kind == "word" and spec.pattern.endswith("*")
            spaced = _spaced(normalize(spec.pattern.rstrip("*")).text)
            variants = [spaced]
            ntokens = spaced.count(" ") - 1
            if 2 <= ntokens <= 4 and len(spaced) >= 8:
                # "s e n d n u d e s" and "#sendnudes" arrive as one token
                variants.append(" " + spaced.replace(" ", "") + " ")
            for variant in variants:
                if spec.language == "roman_ur":
                    key = _roman(variant, _squeeze(variant))
                    target = roman
                else:
                    variant = _en_synonyms(variant)
                    key = _en_synonyms(_squeeze(variant))
                    target = main
                if prefix:
                    key = key[:-1]
                target.setdefault(key, []).append(len(entries))
                entries.append(_Entry(spec, variant.strip(), variant.count(" ") - 1, prefix))
        budget = REGEX_BUDGET_SECONDS if regex_budget is None else regex_budget
        return cls(entries, _Automaton(main), _Automaton(roman), regexes, budget)

    def match(self, n: Normalized) -> list[Hit]:
        """Every rule hit in ``n``, with spans in the original text."""
        hits: list[Hit] = []
        spaced = _spaced(n.text)
        if len(spaced) <= 2:
            return self._match_regexes(n, hits)
        squeezed = _squeeze(spaced)
        key = _en_synonyms(squeezed)
        text_tokens: list[str] | None = None
        seen: defaultdict[int, int] = defaultdict(int)  # hits per entry
        spaces: list[int] | None = None  # where the key's spaces are, for the token index of a hit
        for end, (klen, idxs) in self._main.iter(key):
            start = end - klen + 1
            if spaces is None:
                spaces = [i for i, ch in enumerate(key) if ch == " "]
            first = bisect_left(spaces, start)  # key.count(" ", 0, start), in log time
            for idx in idxs:
                entry = self._entries[idx]
                if not _take(seen, idx, entry):
                    continue  # a wall of one phrase: more hits change nothing but the cost
                if text_tokens is None:
                    text_tokens = _en_synonyms(spaced).split()
                seg = " ".join(text_tokens[first : first + entry.ntokens])
                if not _runs_cover(seg, entry.spaced, entry.prefix):
                    continue
                self._add(n, entry, first, hits)
        if not self._roman.empty:
            self._match_roman(n, _roman(spaced, squeezed), seen, hits)
        return self._match_regexes(n, hits)

    def _match_roman(
        self, n: Normalized, rkey: str, seen: defaultdict[int, int], hits: list[Hit]
    ) -> None:
        """The Roman Urdu rules' hits on the phonetic key."""
        rspaces: list[int] | None = None
        for end, (klen, idxs) in self._roman.iter(rkey):
            if rspaces is None:
                rspaces = [i for i, ch in enumerate(rkey) if ch == " "]
            first = bisect_left(rspaces, end - klen + 1)
            for idx in idxs:
                entry = self._entries[idx]
                if _take(seen, idx, entry):
                    self._add(n, entry, first, hits)

    def _add(self, n: Normalized, entry: _Entry, first: int, hits: list[Hit]) -> None:
        spans = n.token_spans()
        last = first + entry.ntokens - 1
        if last >= len(spans):
            return
        start, end = n.to_original(spans[first][0], spans[last][1])
        original = n.original
        if start > 0 and original[start - 1].isalnum():
            return
        if end < len(original) and original[end].isalnum() and not entry.prefix:
            return
        hits.append(Hit(entry.rule, start, end))

    def _match_regexes(self, n: Normalized, hits: list[Hit]) -> list[Hit]:
        """Run the regex rules within the budget; fail closed for block and hold rules."""
        if not self._regexes:
            return hits
        started = time.thread_time()  # CPU, so a busy machine does not eat the budget
        unchecked: list[RuleSpec] = []
        for i, (spec, compiled, is_re2) in enumerate(self._regexes):
            spent = time.thread_time() - started
            if spent >= self.regex_budget:
                unchecked.extend(rule for rule, _c, _r in self._regexes[i:])
                break
            try:
                if is_re2:
                    m = compiled.search(n.text)
                elif _regex is not None:
                    timeout = max(0.0, min(REGEX_TIMEOUT_SECONDS, self.regex_budget - spent))
                    m = compiled.search(n.text, timeout=timeout)
                else:  # pragma: no cover
                    m = compiled.search(n.text)
            except TimeoutError:
                unchecked.append(spec)
                continue
            if m is not None and m.end() > m.start():
                start, end = n.to_original(m.start(), m.end())
                hits.append(Hit(spec, start, end))
        if unchecked:
            strong = any(rule.action in ("block", "hold") for rule in unchecked)
            budget = RuleSpec(BUDGET_RULE_ID, "", "regex", "hold" if strong else "flag", "budget")
            hits.append(Hit(budget, 0, 0))
        return hits

    def rules(self) -> Sequence[RuleSpec]:
        """The compiled rules, for introspection and tests."""
        return [e.rule for e in self._entries] + [spec for spec, _c, _r in self._regexes]
