"""The moderation pipeline: normalise once, match every rule and detector, decide one verdict.

Why one entry point: posting, editing, room messages and ``POST /moderation/check`` must all
decide the same way, so the service layer calls ``Pipeline.screen`` and nothing else. The
pipeline is pure and immutable once built; the app builds one when rules change and shares it.

Policy (see ``lexicons/README.md``):

* strongest action wins: ``block`` > ``hold`` > ``flag`` > ``censor`` > ``allow``;
* ``crisis`` is a flag of its own: it adds help lines and counsellor alerts and never blocks; a
  text in crisis that would otherwise be blocked is held instead, so no one in crisis is refused;
* a member reporting what was said to her ("he called me a ...", "us ne mujhe ... kaha") is not
  blocked or held by the shipped lexicons: when a reporting verb is present, lexicon ``block`` and
  ``hold`` become ``flag`` (published, reviewed). Moderators' own rules keep their action;
* when the report names the writer as the target (the detector's ``reported_speech``: "he called
  me ...", "us ne mujhe ... kaha", "اس نے مجھے ... کہا"), the shipped lexicons' insult and
  harassment reasons do not flag at all: they stay on the verdict with action ``allow``, so the
  words are visible but the victim is not queued as an abuser. Threats stay flagged (a member
  who reports a threat may be in danger, and a moderator should see it), and so do personal
  information, crisis language and moderators' rules.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from moderation.domain.crisis import ANCHOR_ID, crisis_reason, symbol_cue
from moderation.domain.detector import (
    CRISIS_MODEL_PATH,
    HARM_MODEL_PATH,
    AbuseDetector,
    abuse_reason,
    harm_reason,
    reported_speech,
    tokens,
)
from moderation.domain.detectors import (
    detect_flood,
    detect_new_account_link,
    detect_personal_info,
    load_crisis_rules,
)
from moderation.domain.lexicon import LEXICON_DIR, lexicon_rules
from moderation.domain.normalize import Normalized, normalize
from moderation.domain.rules import ACTIONS, Hit, RuleSet, RuleSpec
from moderation.domain.threats import detect_harm, is_report, without_her_words
from moderation.domain.verdict import CRISIS, Reason, Verdict, strongest

__all__ = [
    "ACTIONS",
    "LEXICON_FILES",
    "Pipeline",
    "Reason",
    "RuleSpec",
    "ScreenContext",
    "Verdict",
    "load_lexicon_rules",
    "mask_words",
]

LEXICON_FILES = ("en.tsv", "ur.tsv", "roman_ur.tsv")
_DOWNGRADED_WHEN_QUOTED = frozenset({"block", "hold"})
# Lexicon categories a first-person report of abuse received does not flag (threats still do).
_SPARED_WHEN_REPORTED = frozenset({"slur", "harassment", "sexual_harassment"})
_SPARED_ACTIONS = frozenset({"flag", "hold", "block"})

# Reporting verbs (English, Roman Urdu, Urdu): a message holding one is treated as a report.
_REPORT_WORDS = """
said says saying say called calls calling told tells telling texted texts texting messaged
messages messaging wrote writes writing threatened threatens threatening threat threats
commented comments replied replies shouted shouts yelled yells sent sends dmed dms dm'd
screamed screams posted posts named
kaha kha kahaa keha kehta kehti kehte kehtay kahta kahti kahte kehna kehtey bola boli bole bolay
bolta bolti bolte likha likhi likhta likhti likhte bheja bheji bheje bhejta bhejti bhejte dhamki
dhamkee dhamkiyan dhamkian dhamkaya dhamkata dhamkati dhamkiyaan pukara gali gaali galiyan
gaaliyan
کہا کہتا کہتی کہتے بولا بولی بولے بولتا بولتی لکھا لکھی لکھتا بھیجا بھیجی بھیجے دھمکی دھمکیاں
دھمکایا گالی گالیاں
"""


@lru_cache(maxsize=1)
def _report_tokens() -> frozenset[str]:
    return frozenset(normalize(w).text for w in _REPORT_WORDS.split())


@dataclass(frozen=True, slots=True)
class ScreenContext:
    """What the caller knows about the author; every field optional."""

    account_age_seconds: float | None = None
    new_account_link_seconds: float = 86400.0
    recent_texts: tuple[str, ...] = ()
    recent_reply_targets: tuple[int, ...] = ()
    reply_target: int | None = None


_NO_CONTEXT = ScreenContext()


@lru_cache(maxsize=1)
def _lexicon_rules() -> tuple[RuleSpec, ...]:
    rules: list[RuleSpec] = []
    for name in LEXICON_FILES:
        rules.extend(lexicon_rules(LEXICON_DIR / name))
    return tuple(rules)


def load_lexicon_rules() -> list[RuleSpec]:
    """The shipped English, Urdu and Roman Urdu lexicons as rules (read once, cached)."""
    return list(_lexicon_rules())


def _reason_for(hit: Hit, original: str) -> Reason:
    rule = hit.rule
    excerpt = original[hit.start : hit.end]
    if rule.action == CRISIS:
        return Reason("crisis:self_harm", CRISIS, rule.category, rule.id, excerpt)
    if rule.id.startswith("lexicon:"):
        return Reason(f"lexicon:{rule.category}", rule.action, rule.category, rule.id, excerpt)
    return Reason(f"{rule.id}:{rule.action}", rule.action, rule.category, rule.id, excerpt)


def _is_report(folded: str, original: str) -> bool:
    """Whether the text tells what someone else said or sent: the reporting words, quote marks,
    and the threat detector's own reading (``threats.is_report``: "typed", "DM kiya", a quote in
    single quotes), so the lexicon and the detectors agree on what a report is."""
    words = _report_tokens()
    return (
        any(tok in words for tok in folded.split())
        or _has_quote_marks(original)
        or reported_speech(folded)
        or is_report(folded)
    )


def _spared(reason: Reason) -> bool:
    """A shipped-lexicon insult or harassment reason, which a victim's report does not flag."""
    return (
        reason.action in _SPARED_ACTIONS
        and reason.category in _SPARED_WHEN_REPORTED
        and reason.source.startswith("lexicon:")
    )


def _has_quote_marks(text: str) -> bool:
    return sum(text.count(q) for q in '"“”«»') >= 2


# Roman Urdu "lun" / "loon" is also the first-person verb ending "I take / let me" ("le lun",
# "kar loon gi"). After a verb stem, or before a future ending, it is the verb: spelling
# variants must not fold an ordinary verb onto a lexicon entry it only looks like.
_HOMOGRAPH_KEYS = frozenset({"lun", "loon", "lu", "lon", "loun", "lunn"})
_VERB_STEMS = frozenset(
    "le lay lai kar kr ker karr de day kha khaa pi pee dekh so sun ja jaa aa a chal bana mar maar "
    "parh padh likh bhej utha rakh pakar pakad samajh soch bol kaat nikal dhoond seekh bech "
    "khareed beth baith ro hans gin nahaa naha dho jala tod mang maang pooch puch bata".split()
)
_FUTURE_AFTER = frozenset({"gi", "ga", "ge", "gy", "gay", "gee"})


def _verb_ending(hit: Hit, text: str) -> bool:
    """Whether a lexicon hit is the Roman Urdu verb ending it is spelled like ("le loon")."""
    rule = hit.rule
    if not rule.id.startswith("lexicon:roman_ur") or hit.end - hit.start > 5:
        return False
    if text[hit.start : hit.end].lower() not in _HOMOGRAPH_KEYS:
        return False
    before = text[: hit.start].split()
    after = text[hit.end :].split()
    return bool(before and before[-1].lower() in _VERB_STEMS) or bool(
        after and after[0].lower().strip(".,!?") in _FUTURE_AFTER
    )


# Everyday Roman Urdu words the spelling folder brings onto an English slur ("treat pakki hai",
# "pakka promise" read as "paki"): the surface word as typed is the Roman Urdu word.
_EN_HOMOGRAPHS = frozenset("pakki pakka pakke pakkay pakky".split())


def _roman_word(hit: Hit, text: str) -> bool:
    """Whether an English lexicon hit is, as typed, an everyday Roman Urdu word."""
    return hit.rule.id.startswith("lexicon:en") and (
        text[hit.start : hit.end].lower() in _EN_HOMOGRAPHS)


# --- English names and places that spell a Roman Urdu word (issue #13) ---------------------------
# "Lund University", "Randi Zuckerberg", "Dr. Harami Khan": a capitalised word in a name is not
# the Roman Urdu word it is spelled like. What makes it a name: a title before it, a capitalised
# word before or after it (a given name and a surname), or a place word after it. What does not:
# Title Case Text Throughout (an insult typed so), the honorifics that mock ("Gandu Sahib"), and
# a Roman Urdu word after it ("Randi Hai").
_TITLES = frozenset("mr mrs ms miss dr prof professor sir madam mister saint st".split())
_PLACE_AFTER = frozenset(
    "university college school hospital city town road street avenue district county station "
    "airport park museum river lake valley institute bazar bazaar market chowk mor colony sweden "
    "germany norway denmark family".split()
)
_NOT_NAME_AFTER = frozenset(
    "sahib sahab saab sab ji jee bhai baji hai hain ho ka ki ke ko tu tum tera teri tere sala sali "
    "saala saali kahin kamina kamini kutta kutti kuttay bachi bacha aurat ladki larki".split()
)
_NAME_WORD = re.compile(r"[A-Z][a-z]+")


def _proper_name(hit: Hit, text: str) -> bool:
    """Whether a Roman Urdu lexicon hit is a capitalised name or place in the text."""
    if not hit.rule.id.startswith("lexicon:roman_ur"):
        return False
    word = text[hit.start : hit.end]
    if _NAME_WORD.fullmatch(word) is None:
        return False
    words = text.split()
    if len(words) >= 4 and sum(bool(_NAME_WORD.match(w)) for w in words) * 5 >= len(words) * 3:
        return False  # Title Case Throughout: no name stands out
    before = text[: hit.start].split()
    after = text[hit.end :].split()
    prev = before[-1].strip(".,") if before else ""
    nxt = after[0].strip(".,!?;:") if after else ""
    if nxt.lower() in _NOT_NAME_AFTER:
        return False
    return (
        prev.lower() in _TITLES
        or nxt.lower() in _PLACE_AFTER
        or (_NAME_WORD.fullmatch(nxt) is not None)
        or (_NAME_WORD.fullmatch(prev) is not None and len(before) > 1
            and not before[-2].endswith((".", "!", "?")))
    )


#: The fewest words left, once the slurs are cut out, for the crisis model to read them again
#: (a word or two, "tonight", is no message).
_BARE_MIN_WORDS = 4

_HARM_SOURCES = frozenset({"detector:threat", "detector:coercion"})


# Words that address the target of an insult ("you", "tum sab ... ho"): cut with it.
_ADDRESS = frozenset("you u ya all guys tum tu aap ap sab log ho hai hain are r go".split())
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def _harm_model() -> AbuseDetector | None:
    """The shipped harm model, or None when it is not there (the abuse model still runs)."""
    return AbuseDetector.load(HARM_MODEL_PATH) if HARM_MODEL_PATH.exists() else None


@lru_cache(maxsize=1)
def _crisis_model() -> AbuseDetector | None:
    """The shipped crisis model, or None when it is not there (the crisis rules still run)."""
    return AbuseDetector.load(CRISIS_MODEL_PATH) if CRISIS_MODEL_PATH.exists() else None


def crisis_odds(folded: str, toks: list[str]) -> tuple[bool, bool]:
    """(offer help lines, let the rules' crisis alert stand), from the crisis model.

    Why two answers: help lines cost little and missing them costs much, so the model offers
    them wide (its ``help`` thresholds, per language); an alert calls a person, so the rules'
    crisis reading alerts only when the model also finds the text at least ``alert`` likely
    (support talk *about* crisis reads like crisis to the rules, not to the model). The score
    is the raw one: a friend's "she said she wants to die" is not a report to discount.
    Without the model file, no extra offer and every alert stands.
    """
    model = _crisis_model()
    if model is None:
        return False, True
    help_at = model.meta["help"]
    if len(set(help_at.values())) == 1:  # one threshold: no language to guess
        p = model.probability_of(toks)
        return p >= next(iter(help_at.values())), p >= model.meta["alert"]
    p, language = model.odds(folded, toks)
    return p >= help_at.get(language, 1.0), p >= model.meta["alert"]


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every span (merged, and widened over up to two addressing words on each
    side) replaced by a clause break."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    words = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
    starts = [w[0] for w in words]
    ends = [w[1] for w in words]
    for span in merged:  # bisect: linear in the text whatever the number of spans
        j = bisect_right(ends, span[0]) - 1  # the last word that ends before the span
        for _ in range(2):
            if j < 0 or words[j][2] not in _ADDRESS:
                break
            span[0] = words[j][0]
            j -= 1
        j = bisect_left(starts, span[1])  # the first word that starts after it
        for _ in range(2):
            if j >= len(words) or words[j][2] not in _ADDRESS:
                break
            span[1] = words[j][1]
            j += 1
    pieces: list[str] = []
    at = 0
    for start, end in merged:
        start = max(start, at)
        pieces.append(text[at:start])
        pieces.append(" . ")
        at = max(at, end)
    pieces.append(text[at:])
    return "".join(pieces)


def _harm_reasons(folded: str, text: str, before: list[Reason]) -> list[Reason]:
    """Threat and coercion reasons (``hold``); ``flag`` when a victim tells what was sent to her.

    Why flag and not allow: a member reporting "he said he'd throw acid on her" may be in
    danger, so a moderator must see it (urgent in the queue), but her story stays published.
    A threat a lexicon phrase already named is not named twice.
    """
    found = detect_harm(folded)
    if found and any(r.category == "threat" for r in before):
        found = [r for r in found if r.category != "threat"]
    told = without_her_words(folded) if found else folded
    if found and (is_report(told) or _is_report(told, text)):
        found = [Reason(r.code, "flag", r.category, r.source, r.excerpt) for r in found]
    return found


#: Lexicon categories masked for moderators until they ask to see them (the review queue).
MASKED_CATEGORIES = frozenset({"slur", "sexual_harassment", "profanity"})


@lru_cache(maxsize=1)
def _masking_rules() -> RuleSet:
    """The shipped lexicons' slur, sexual and profane entries, compiled once."""
    return RuleSet.compile(r for r in _lexicon_rules() if r.category in MASKED_CATEGORIES)


def mask_words(text: str) -> tuple[str, int]:
    """``text`` with every slur, sexual or profane word the shipped lexicons know masked as
    ``*`` (the ``censor`` action's masking, on the same matches), and how many were masked.

    Why here: the queue must hide exactly the words the filter finds, with the same
    normalisation (confusables, Roman Urdu spellings), so both read one rule set."""
    if not text:
        return text, 0
    spans = [(h.start, h.end) for h in _masking_rules().match(normalize(text))]
    if not spans:
        return text, 0
    return _mask(text, spans), len(set(spans))


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            if not chars[i].isspace():
                chars[i] = "*"
    return "".join(chars)


class Pipeline:
    """A compiled rule set plus the detectors; build once, call ``screen`` per message."""

    __slots__ = ("abuse_threshold", "harm_detectors", "ruleset")

    def __init__(
        self,
        ruleset: RuleSet,
        abuse_threshold: float | Mapping[str, float] | None = None,
        harm_detectors: bool = True,
    ) -> None:
        self.ruleset = ruleset
        self.abuse_threshold = abuse_threshold
        # The threat and coercion detectors ship with the lexicons and go with them.
        self.harm_detectors = harm_detectors

    @classmethod
    def build(
        cls,
        rules: Iterable[RuleSpec] = (),
        *,
        include_lexicons: bool = True,
        abuse_threshold: float | Mapping[str, float] | None = None,
        regex_budget: float | None = None,
    ) -> Pipeline:
        """Compile moderators' ``rules`` with the crisis anchors (always) and the lexicons.

        The threat and coercion detectors (``threats.py``) ship with the lexicons and run when
        they do. With ``abuse_threshold`` the learned detector also scores every message and adds a
        ``flag`` reason (``abuse_score:<lang>``) at or above it (one number, or one per
        language: ``en``, ``ur``, ``roman_ur``): it flags for human review and never blocks
        on its own. ``regex_budget`` is the CPU seconds all regex rules may take on one text
        (``rules.REGEX_BUDGET_SECONDS`` by default; when it runs out the text is held)."""
        all_rules: list[RuleSpec] = list(load_crisis_rules())
        if include_lexicons:
            all_rules.extend(_lexicon_rules())
        all_rules.extend(rules)
        if abuse_threshold is not None:
            AbuseDetector.load()  # load the weights now, not on the first post
        return cls(
            RuleSet.compile(all_rules, regex_budget=regex_budget), abuse_threshold, include_lexicons
        )

    def _abuse(self, text: str, folded: str, toks: list[str]) -> list[Reason]:
        """The learned detectors' flags: the abuse model at or above the threshold of the text's
        language, and the harm model (threats and coercion, issue #13) at its own thresholds.
        Both run when the detector is on (``abuse_threshold`` set, as posting runs it)."""
        if self.abuse_threshold is None:
            return []
        score = AbuseDetector.load().score(text, folded, toks)
        threshold = (
            self.abuse_threshold.get(score.language, 1.0)
            if isinstance(self.abuse_threshold, Mapping)
            else self.abuse_threshold
        )
        found = abuse_reason(score, threshold)
        out = [] if found is None else [found]
        harm = _harm_model()
        if harm is not None:
            hit = harm_reason(harm.score(text, folded, toks), harm.meta.get("thresholds", {}))
            if hit is not None:
                out.append(hit)
        return out

    def _rule_reasons(
        self, n: Normalized, text: str, reasons: list[Reason], censor_spans: list[tuple[int, int]],
        abuse_spans: list[tuple[int, int]] | None = None,
        slur_spans: list[tuple[int, int]] | None = None,
    ) -> bool:
        """Append every rule hit's reason (and censor span); whether a crisis anchor matched
        (the detector then reads the text, and help lines are offered whatever it finds)."""
        anchored = False
        for hit in self.ruleset.match(n):
            if hit.rule.id == ANCHOR_ID:  # a crisis word: the detector reads the text
                anchored = True
                continue
            if _verb_ending(hit, text) or _proper_name(hit, text) or _roman_word(hit, text):
                continue  # "le loon": the verb "I take"; "Lund University": a place; "pakki"
            reasons.append(_reason_for(hit, text))
            if abuse_spans is not None:
                abuse_spans.append((hit.start, hit.end))
            if slur_spans is not None and hit.rule.id.startswith("lexicon:"):
                slur_spans.append((hit.start, hit.end))
            if hit.rule.action == "censor":
                censor_spans.append((hit.start, hit.end))
        return anchored

    def screen(self, text: str, context: ScreenContext | None = None) -> Verdict:
        """Decide what posting ``text`` does; never raises on any string, empty included."""
        ctx = context or _NO_CONTEXT
        reasons: list[Reason] = []
        censor_spans: list[tuple[int, int]] = []
        folded = ""
        anchored = offered = read = False
        if text:
            n = normalize(text)
            folded = n.text
            abuse_spans: list[tuple[int, int]] = []
            slurs: list[tuple[int, int]] = []
            anchored = (self._rule_reasons(n, text, reasons, censor_spans, abuse_spans, slurs)
                        or symbol_cue(n))
            toks = tokens(folded)
            reasons.extend(self._abuse(text, folded, toks))
            crisis_found = crisis_reason(text, n) if anchored else None  # risk: crisis.py
            if crisis_found is None and anchored and abuse_spans:
                # A slur never hides crisis: "you stupid bitch, ammi ko batana ..." puts "you"
                # in her clause. Read her words again with each abusive span cut out as a
                # clause of its own.
                crisis_found = crisis_reason(_cut(text, abuse_spans))
            offered, alert = crisis_odds(folded, toks)
            if not offered and slurs:
                # Nor does a slur lower the model's reading: "nothing is going to get better
                # ... you stupid bitch" is scored again without the lexicon's abusive words
                # (a moderator's own rule, "mango orchard", is not abuse to take out).
                bare = normalize(_cut(text, slurs)).text
                bare_toks = tokens(bare)
                if len(bare_toks) >= _BARE_MIN_WORDS:
                    offered, bare_alert = crisis_odds(bare, bare_toks)
                    alert = alert or bare_alert
            if crisis_found is not None:
                read = True  # help lines and never a refusal, alert or not
                if alert:
                    reasons.insert(0, crisis_found)
            reasons.extend(detect_personal_info(text))
            if self.harm_detectors:
                reasons.extend(_harm_reasons(folded, text, reasons))
            reasons.extend(
                detect_new_account_link(text, ctx.account_age_seconds, ctx.new_account_link_seconds)
            )
        reasons.extend(detect_flood(text, ctx.recent_texts, ctx.recent_reply_targets, ctx.reply_target))
        helps = anchored or offered or read
        if not reasons:
            return Verdict("allow", False, (), None, helps)
        if any(_spared(r) for r in reasons) and reported_speech(folded):
            reasons = [Reason(r.code, "allow", r.category, r.source, r.excerpt) if _spared(r) else r
                       for r in reasons]
        if any(
            r.action in _DOWNGRADED_WHEN_QUOTED and r.source.startswith("lexicon:") for r in reasons
        ) and _is_report(folded, text):
            reasons = [
                Reason(r.code, "flag", r.category, r.source, r.excerpt)
                if r.action in _DOWNGRADED_WHEN_QUOTED and r.source.startswith("lexicon:")
                else r
                for r in reasons
            ]
        crisis = any(r.action == CRISIS for r in reasons)
        action = strongest(r.action for r in reasons)
        if (crisis or read or offered) and action == "block":
            action = "hold"  # who may be in crisis is never refused: held, with help lines
        unique = tuple(dict.fromkeys(reasons))
        censored = _mask(text, censor_spans) if censor_spans else None
        return Verdict(action, crisis, unique, censored, crisis or helps)
