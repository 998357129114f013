"""A learned abuse detector for English, Urdu and Roman Urdu, scored in plain Python.

Why a learned model beside the lexicons: word lists either miss abuse written in a new spelling or
flag every tweet that holds a common seed word (the RUHSOLD list alone has precision 0.47). A
linear model over character n-grams of the *normalised* text generalises across spellings, and
the normaliser (leetspeak, confusables, Urdu letter variants) removes most of the evasions
before the model ever sees them.

Why no numpy or scikit-learn here: the moderation domain imports only the standard library and
small pure data libraries (here pyahocorasick, as the rule matcher does), so it can be tested,
fuzzed and benchmarked alone. The weights are fitted offline by
``bench/detector/train.py`` (scikit-learn) and shipped as ``data/abuse_model.json``; this module
reproduces the fitted model's ``predict_proba`` exactly:

* features are made by :func:`char_features` (character 1–5-grams inside each letter word,
  padded with a space on both sides, like scikit-learn's ``char_wb``) and :func:`word_features`
  (word unigrams and bigrams); both are binary, idf-weighted and L2-normalised per block, so one
  message's score is ``sigmoid(sum_char(a)/sqrt(sum_char(idf²)) + sum_word(a)/sqrt(sum_word(idf²))
  + b)`` over the distinct in-vocabulary features, with ``a = coef * idf`` (times the column's
  naive-Bayes log-count ratio when the trainer scaled by it; the scorer never needs to know);
* per-word character features are cached (words repeat; a 300-character message costs a few
  dozen dictionary look-ups instead of a thousand slices), so scoring stays well under 100 µs;
* the columns are held compactly (:class:`_Columns`): every server process holds three models.

A member quoting abuse she received ("he called me ...", "us ne mujhe ... kaha",
"اس نے مجھے ... کہا") is not abusing anyone: :func:`reported_speech` recognises such reports and
:meth:`AbuseDetector.score` discounts their score, so the detector never flags a victim's story as
the writer's own abuse. The detector only ever *flags* (publish and queue for review): a
statistical score is not certain enough to refuse a post.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import ahocorasick

from moderation.domain.normalize import normalize
from moderation.domain.verdict import Reason

__all__ = [
    "AbuseDetector",
    "DetectorScore",
    "CRISIS_MODEL_PATH",
    "HARM_MODEL_PATH",
    "MODEL_PATH",
    "REPORT_DISCOUNT",
    "abuse_reason",
    "harm_reason",
    "char_features",
    "guess_language",
    "idf_of",
    "reported_speech",
    "tokens",
    "word_features",
]

MODEL_PATH = Path(__file__).with_name("data") / "abuse_model.json"
#: The threat-and-coercion model (issue #13), same format, its per-language thresholds in
#: ``meta["thresholds"]``; fitted by ``bench/detector/train.py`` beside the abuse model.
HARM_MODEL_PATH = Path(__file__).with_name("data") / "harm_model.json"
#: The crisis model (issue #14): who is offered help lines; trained by the same script.
CRISIS_MODEL_PATH = Path(__file__).with_name("data") / "crisis_model.json"
CHAR_NGRAMS = (1, 5)
# A report of abuse received keeps this share of its score (see ``reported_speech``).
REPORT_DISCOUNT = 0.25
#: Tokens past which a text's sums are taken per distinct token (see ``_decision``).
_LONG_TEXT = 2048
_CACHE_LIMIT = 50_000

_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[a-z]")


def tokens(normalized: str) -> list[str]:
    """Split normalised text into letter words, numbers and single symbols (emoji included).

    Why symbols count: "😂" and "!!!" carry tone in tweets, and a tokeniser that drops them loses it.
    Exactly ``_TOKEN.findall``, about three times faster: most whitespace-separated pieces are one
    word of letters, and only the others go through the expression (every message is scored by
    the crisis model, so this is on the posting path).
    """
    out: list[str] = []
    for piece in normalized.split():
        if piece.isalpha():
            out.append(piece)
        else:
            out.extend(_TOKEN.findall(piece))
    return out


def char_features_of_word(word: str) -> list[str]:
    """The character n-grams of one word padded with spaces (``char_wb`` style)."""
    padded = f" {word} "
    size = len(padded)
    lo, hi = CHAR_NGRAMS
    out: list[str] = []
    for n in range(lo, min(hi, size) + 1):
        out.extend(padded[i : i + n] for i in range(size - n + 1))
    return out


def char_features(toks: Iterable[str]) -> list[str]:
    """Character n-grams of the letter words of a message, each counted once per word.

    This is the training-side analyser; a term's frequency is the number of words holding it.
    """
    out: list[str] = []
    for tok in toks:
        if tok.isalpha():
            out.extend(sorted(set(char_features_of_word(tok))))
    return out


def word_features(toks: list[str]) -> list[str]:
    """Word unigrams and bigrams (bigrams joined by one space)."""
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]


def idf_of(df: int, n_docs: int) -> float:
    """scikit-learn's smooth idf: ``ln((1 + n) / (1 + df)) + 1`` (stored models keep only df)."""
    return math.log((1 + n_docs) / (1 + df)) + 1.0


# --- language guess -------------------------------------------------------------------------

_ROMAN_UR_WORDS = frozenset(
    """hai hain ha ka ki ke ko se ne nahi nahin nai ni na mein mai tum tu tera teri
    tere aap ap apna apni apne yeh ye woh wo vo aur or kya kia kyun kyu bhi ho hota hoti hote
    tha thi thay the kar karo karna kr rha raha rahi rahe hum ham mujhe mujh mera meri mere
    uska uski uske us is un in jo sab koi kuch bohat bahut bht acha achha ab abhi jab tab yar
    yaar kaha kehta kehti bola boli wala wali wale liye lye pe par per ki""".split()
)
_EN_WORDS = frozenset(
    """the a an is are was were be been you your i me my he she they them his her their it this
    that these those and or but of in on to for with at by from as not no do does did have has
    had will would can could should what who why how when where all just so if then than like
    called said told sent wrote keeps""".split()
)


def guess_language(normalized: str) -> str:
    """``ur`` (Urdu script), ``roman_ur`` or ``en``, from the script and common function words.

    Why function words: Roman Urdu and English share the Latin script and many loanwords, but
    *hai*, *ko*, *ne*, *mujhe* or *the*, *is*, *you* settle a message in a handful of tokens.
    """
    return _language(normalized, tokens(normalized))


def _language(normalized: str, words: list[str]) -> str:
    if not normalized.isascii() and len(_ARABIC.findall(normalized)) > len(
        _LATIN.findall(normalized)
    ):
        return "ur"
    ur = len(_ROMAN_UR_WORDS.intersection(words))
    en = len(_EN_WORDS.intersection(words))
    return "roman_ur" if ur > en else "en"


# --- reported speech --------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(normalize(w).text for w in text.split())


# English. A report names the writer as the one the words were aimed at: "he called me",
# "they wrote that I'm ...", "I was called ...", "I keep getting messages ...".
_EN_VERBS = _words(
    """called calls calling call told tells telling texted texts texting text messaged messages
    messaging message wrote writes writing write sent sends sending send said says saying
    threatened threatens threatening commented comments commenting replied replies replying
    reply shouted shouts yelled yells screamed screams posted posts posting dmed dms dm named
    labelled labeled abused mocked mocks mocking"""
)
# Bare forms that are also imperatives ("call me", "text me"): a report needs a named agent.
_EN_IMPERATIVE = _words("call tell text message write send reply dm")
_EN_THIRD = _words(
    """he she they someone somebody people guy guys man men boy boys user users account accounts
    stranger strangers ex husband boss brother cousin father mother manager neighbour neighbor
    teacher who everyone his her their him them my uncle colleague classmate fiance landlord
    keeps kept also always"""
)
_EN_ME = _words("me")
_EN_I = _words("i i'm im")
_EN_FIRST = _EN_I | _EN_ME | _words("my")
_EN_THAT = _words("that")
_EN_PASSIVE_VERBS = _words("called named abused harassed threatened told mocked labelled labeled")
_EN_PASSIVE_AUX = _words("was am been being got get getting were")
_EN_RECEIVE = _words("received receiving receive getting got get read reading see seeing")
_EN_NOUNS = _words(
    """message messages text texts dm dms comment comments threat threats abuse calls emails
    names pictures photos pics"""
)
_QUOTES = frozenset('"“”«»:')

# Roman Urdu and Urdu. "us ne mujhe ... kaha", "wo mujhe ... kehta hai", "us ne likha ke ...",
# "mujhe gaaliyan aati hain".
_RU_VERBS = _words(
    """kaha kha kahaa keha kehta kehti kehte kahta kahti kahte bola boli bole bolta bolti bolte
    likha likhi likhta likhti likhte bheja bheji bheje bhejta bhejti bhejte pukara pukarta
    pukarti bataya batata batati keh bulata bulati bulate msg message messages dm comment
    کہا کہتا کہتی کہتے بولا بولی بولے بولتا بولتی لکہا لکہی لکہتا لکہتی لکہتے بہیجا بہیجی بہیجے
    بہیجتا بہیجتی پکارا بتایا کہہ بلاتا بلاتی میسج پیغام ایم"""
)
_RU_HABIT_VERBS = _words(
    """kehta kehti kehte kahta kahti kahte bolta bolti bolte likhta likhti likhte bulata bulati
    bulate
    کہتا کہتی کہتے بولتا بولتی لکہتا لکہتی لکہتے بلاتا بلاتی"""
)
_RU_AGENT = _words("ne nay ny نے")
_RU_AGENT_WORDS = _words("usne isne unhone unhon unho")
_RU_SELF_AGENT = _words(
    "main mein mai me mn hum ham maine mene menay tum tu tm ap aap میں ہم تم تو آپ"
)
_RU_ME = _words(
    """mujhe mujhay mujhko mjhe mje muje mujhse mujhsay mujhy mujh mere meri mera
    مجہے مجہ مجہسے میرے میری میرا"""
)
_RU_MSG = _words("msg message messages dm comment میسج پیغام ایم")
_RU_DO = _words("karta karti karte kiya kia krta کرتا کرتی کرتے کیا")
_RU_SPEAKER = _words("wo woh vo mera meri mere وہ میرا میری میرے")
_RU_THIRD = _words("wo woh vo koi kisi log وہ کوئی کسی لوگ")
_RU_HEAR = _words("sunna sunne sunni sunna سننا سننے سننی")
_RU_YOU = _words("tu tujhe tujh teri tera tere tum tumhari tumhara tumhe تو تجہے تجہ تیری تیرا تیرے تم")
_RU_THAT = _words("ke k kay keh ki کہ")
_RU_AUX = _words("hai hain he ha hy tha thi the thay ہے ہیں تہا تہی تہے")
_RU_ABUSE_NOUNS = _words(
    """gali gaali galiyan gaaliyan galian gaaliyaan dhamki dhamkiyan dhamkian msg message messages
    calls alfaaz alfaz gandi
    گالی گالیاں دہمکی دہمکیاں پیغام میسج الفاظ"""
)
_RU_GIVE = _words(
    """di dee deta deti dete de dein diya diyan mili milti milte aati aate aayi aa ati
    sunna sunne sunni sunti parta parte
    دی دیتا دیتی دیتے دے دیں ملی ملتی ملتے آتی آتے آ سننی سننے سنتی پڑتا پڑتے"""
)
_CUES = (
    _EN_VERBS | _EN_PASSIVE_VERBS | _EN_RECEIVE | _RU_VERBS | _RU_HABIT_VERBS | _RU_AGENT
    | _RU_AGENT_WORDS | _RU_ABUSE_NOUNS | _RU_HEAR
)


def _near(words: list[str], lo: int, hi: int, vocab: frozenset[str]) -> bool:
    return not vocab.isdisjoint(words[max(0, lo) : max(0, hi)])


def _report_at(words: list[str], i: int) -> bool:
    """Whether the cue word at ``words[i]`` is part of a report naming the writer as the target.

    Why so strict: a loose cue ("kaha" anywhere, any "X ne ... kaha") also fires on ordinary
    abusive tweets that mention speech, and a discount there lets abuse through. Each
    construction below needs the writer as recipient ("me", "mujhe"), as the subject of the
    quoted clause ("that I'm", "ke main"), or a quotation ("likha ke ...", a quote or colon).
    """
    w = words[i]
    if w in _EN_VERBS:
        agent = _near(words, i - 4, i, _EN_THIRD)
        if w in _EN_IMPERATIVE and not agent:
            return False
        if _near(words, i + 1, i + 3, _EN_ME):  # "called me", "shouted at me"
            return True
        if agent and _near(words, i + 1, i + 6, _QUOTES):  # 'he texted "..."'
            return True
        if agent and _near(words, i + 1, i + 9, _EN_FIRST):  # "he says I'm", "said he'd ... me"
            return True
    if w in _EN_PASSIVE_VERBS and _near(words, i - 2, i, _EN_PASSIVE_AUX):
        if _near(words, i - 4, i, _EN_I):  # "I was called", "I got called"
            return True
    if w in _EN_RECEIVE and _near(words, i + 1, i + 5, _EN_NOUNS):
        if _near(words, i - 3, i, _EN_I) or _near(words, i + 2, i + 6, _QUOTES):
            return True  # "I keep getting messages", 'got a message: "..."'
    agent_at = -1
    if w in _RU_AGENT_WORDS:
        agent_at = i
    elif w in _RU_AGENT and i and words[i - 1] not in _RU_SELF_AGENT and words[i - 1].isalpha():
        agent_at = i
    if agent_at >= 0:
        # "us ne mujhe ... kaha": the writer between the agent and the verb;
        # "us ne likha ke ..." / 'us ne bola "..."': a quoted clause after the verb.
        for j in range(agent_at + 1, min(len(words), agent_at + 11)):
            if words[j] in _RU_VERBS or words[j] in _RU_ABUSE_NOUNS:
                if _near(words, agent_at + 1, j, _RU_ME):
                    return True
                after = words[j + 1 : j + 3]
                if not (_RU_THAT | _QUOTES | _RU_YOU).isdisjoint(after):
                    return True
    if w in _RU_HABIT_VERBS or w in _RU_VERBS:
        # "wo mujhe kutti kehta hai", "mujhe gashti bola"
        if _near(words, i - 8, i, _RU_ME):
            return True
        # "wo kehta hai ke ...", "meri saas kehti hai tu ..." (not "sab kehte hain tu ...",
        # which is aimed at the reader: the speaker must be "wo" or someone of the writer's)
        if (
            w in _RU_HABIT_VERBS
            and _near(words, i + 1, i + 3, _RU_AUX)
            and _near(words, i - 3, i, _RU_SPEAKER)
        ):
            if _near(words, i + 2, i + 8, _RU_THAT | _RU_YOU | _QUOTES):
                return True
    if w in _RU_ABUSE_NOUNS and _near(words, i + 1, i + 4, _RU_GIVE) and _near(words, i - 8, i, _RU_ME):
        return True  # "mujhe gaaliyan aati hain", "ek larka mujhe dhamki de raha hai"
    if w in _RU_MSG and _near(words, i + 1, i + 2, _RU_DO) and _near(words, i - 5, i, _RU_THIRD):
        if _near(words, i + 2, i + 5, _RU_THAT | _QUOTES):
            return True  # "wo raat ko message karta hai ke ..."
    if w in _RU_HEAR and _near(words, i - 12, i, _RU_ME):
        return True  # "mujhe ... sunne parte hain"
    return False


def reported_speech(normalized: str) -> bool:
    """Whether a normalised message reports or quotes words someone else aimed at the writer.

    Why: a woman telling the forum "he called me a ..." must not be flagged for the slur she is
    reporting. The cues are reporting constructions that name the writer as the target, in
    English, Roman Urdu (*us ne mujhe ... kaha*) and Urdu (*اس نے مجھے ... کہا*), checked on word
    windows (a few set look-ups per cue word; messages without a cue word cost one set
    intersection). They were written on ``bench/detector/data/victim_quotes.tsv`` and checked on
    RUHSOLD's train and validation tweets (few of which are reports, so every firing there is
    a potential miss); ``victim_quotes_fresh.tsv`` was kept aside to measure them.
    """
    return _reported(tokens(normalized))


def _reported(words: list[str]) -> bool:
    if _CUES.isdisjoint(words):
        return False
    cues = _CUES
    return any(_report_at(words, i) for i, w in enumerate(words) if w in cues)


# --- the model ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DetectorScore:
    """The probability that a message is abusive, the language guessed, and whether it is a report."""

    score: float
    language: str
    reported: bool = False
    raw_score: float | None = None


class _Columns:
    """The columns of one fitted model, held compactly (every server process holds three models,
    about 244,000 columns; as a dict of term → index beside arrays they took 57 MB).

    * character n-grams: an Aho–Corasick automaton maps each to its column index (stored in C,
      no Python object per entry) and finds every n-gram of a word in one pass; ``a`` and ``q``
      are packed doubles indexed by it;
    * word unigrams: term → ``complex(a, q)``, both doubles in one object, no index;
    * word bigrams: token pair → ``complex(a, q)``, the pair's strings shared with the unigram
      keys (one string object per distinct token, not two per pair); the joined bigram string of
      the file is not kept, since scoring never joins tokens.

    The doubles are the ones the file gives (``a``) and ``idf_of(df, n_docs) ** 2`` (``q``), as
    before; only the order in which one word's character n-grams are added up may differ, which
    moves a log-odds by float rounding (below 1e-13), never more.
    """

    __slots__ = ("chars", "char_a", "char_q", "words", "pairs", "sizes")

    def __init__(self, char: Mapping[str, Any], word: Mapping[str, Any]) -> None:
        chars: Any = None
        if char["vocab"]:
            chars = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for i, term in enumerate(char["vocab"]):
                chars.add_word(term, i)
            chars.make_automaton()
        self.chars = chars
        n_docs = int(char["n_docs"])
        self.char_a = array("d", char["a"])
        self.char_q = array("d", (idf_of(df, n_docs) ** 2 for df in char["df"]))
        n_docs = int(word["n_docs"])
        words: dict[str, complex] = {}
        bigrams: list[tuple[str, complex]] = []
        for term, a, df in zip(word["vocab"], word["a"], word["df"], strict=True):
            value = complex(a, idf_of(df, n_docs) ** 2)
            if " " in term:
                bigrams.append((term, value))
            else:
                words[term] = value
        shared = {term: term for term in words}
        pairs: dict[tuple[str, ...], complex] = {}
        for term, value in bigrams:
            pairs[tuple(shared.setdefault(t, t) for t in term.split(" "))] = value
        self.words = words
        self.pairs = pairs
        #: (character columns, word columns), as in the file.
        self.sizes = (len(char["vocab"]), len(word["vocab"]))

    def char_sums(self, word: str) -> tuple[float, float]:
        """``(sum a, sum q)`` over the distinct in-vocabulary character n-grams of one word."""
        if self.chars is None:
            return 0.0, 0.0
        ids = {i for _, i in self.chars.iter(f" {word} ")}
        if not ids:
            return 0.0, 0.0
        return sum(map(self.char_a.__getitem__, ids)), sum(map(self.char_q.__getitem__, ids))


class AbuseDetector:
    """The fitted linear model; ``load()`` reads the shipped weights once per process.

    The features are term frequencies times idf, normalised by ``sqrt(sum(tf * idf²))``; a
    character n-gram counts once per word that holds it. That normalisation is linear in the
    words, so each distinct word's contribution ``(sum a, sum idf²)`` is computed once and cached,
    and a message costs one cache look-up per word plus one per word bigram.
    """

    __slots__ = ("columns", "intercept", "threshold", "meta", "_cache", "_pairs")

    def __init__(self, model: Mapping[str, Any]) -> None:
        self.columns = _Columns(model["char"], model["word"])
        self.intercept = float(model["intercept"])
        self.threshold = float(model.get("threshold", 0.5))
        self.meta: dict[str, Any] = dict(model.get("meta", {}))
        self._cache: dict[str, tuple[float, float, float, float]] = {}
        #: Word bigrams keyed by their pair of tokens, so scoring joins no strings.
        self._pairs = self.columns.pairs

    @classmethod
    def load(cls, path: Path | None = None) -> AbuseDetector:
        """The detector for ``path`` (the shipped model by default), read once and cached."""
        return _load(str(path or MODEL_PATH))

    def _token_sums(self, tok: str) -> tuple[float, float, float, float]:
        """(char a, char q, word a, word q) of one token, computed once and cached."""
        ac, qc = self.columns.char_sums(tok) if tok.isalpha() else (0.0, 0.0)
        w = self.columns.words.get(tok)
        sums = (ac, qc, w.real, w.imag) if w is not None else (ac, qc, 0.0, 0.0)
        cache = self._cache
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[tok] = sums
        return sums

    def decision(self, normalized: str) -> float:
        """The linear score (log-odds) of a normalised text, before any report discount."""
        return self._decision(tokens(normalized))

    def _decision(self, toks: list[str]) -> float:
        get = self._cache.get
        ac = qc = aw = qw = 0.0
        if len(toks) > _LONG_TEXT:
            # A long text (a wall of one word, a pasted page) sums each distinct token once,
            # times its count: the same sums up to float rounding, at the cost of its vocabulary.
            for tok, k in Counter(toks).items():
                a, b, c, d = get(tok) or self._token_sums(tok)
                ac += k * a
                qc += k * b
                aw += k * c
                qw += k * d
        elif toks:
            sums = [get(tok) or self._token_sums(tok) for tok in toks]
            ac, qc, aw, qw = [sum(column, 0.0) for column in zip(*sums, strict=True)]  # in C
        if len(toks) > 1:
            hits = [v for v in map(self._pairs.get, zip(toks, toks[1:], strict=False)) if v is not None]
            if hits:
                both = sum(hits)  # (sum a) + (sum q)j, summed in order as two floats would be
                aw += both.real
                qw += both.imag
        z = self.intercept
        if qc:
            z += ac / math.sqrt(qc)
        if qw:
            z += aw / math.sqrt(qw)
        return z

    def probability(self, normalized: str) -> float:
        """The model's probability of abuse for a normalised text (``predict_proba``'s column 1)."""
        return _sigmoid(self._decision(tokens(normalized)))

    def probability_of(self, toks: list[str]) -> float:
        """The probability of a text already split into ``tokens``, with no report discount."""
        return _sigmoid(self._decision(toks))

    def odds(self, normalized: str, toks: list[str]) -> tuple[float, str]:
        """The probability without any report discount, and the language guessed: what the
        crisis model needs (a friend's "she said she wants to die" is not a report)."""
        return _sigmoid(self._decision(toks)), _language(normalized, toks)

    def score(self, text: str, normalized: str | None = None, toks: list[str] | None = None
              ) -> DetectorScore:
        """Score ``text`` (pass ``normalized`` when the pipeline already folded it).

        A report of abuse received keeps ``REPORT_DISCOUNT`` of its probability, so the quoted
        words of a harasser do not make the victim's message look like her own abuse.
        """
        folded = normalize(text).text if normalized is None else normalized
        if toks is None:
            toks = tokens(folded)
        raw = _sigmoid(self._decision(toks))
        lang = _language(folded, toks)
        if raw > 0.0 and _reported(toks):
            return DetectorScore(raw * REPORT_DISCOUNT, lang, True, raw)
        return DetectorScore(raw, lang, False, raw)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@lru_cache(maxsize=4)
def _load(path: str) -> AbuseDetector:
    with open(path, encoding="utf-8") as fh:
        return AbuseDetector(json.load(fh))


def abuse_reason(score: DetectorScore | float, threshold: float, language: str = "") -> Reason | None:
    """The ``flag`` reason for a detector score at or above ``threshold``, else ``None``.

    Why only ``flag``: the model is right most of the time, not always; a flagged post stays
    published and reaches a moderator, so a false positive never silences a member. The score is
    kept in ``source`` (``abuse_model:0.873``) so moderators see how sure the model was.
    """
    if isinstance(score, DetectorScore):
        value, lang = score.score, language or score.language
    else:
        value, lang = float(score), language or "und"
    if value < threshold:
        return None
    return Reason(f"abuse_score:{lang}", "flag", "abuse", f"abuse_model:{value:.3f}", None)


def harm_reason(score: DetectorScore, thresholds: Mapping[str, float]) -> Reason | None:
    """The ``flag`` reason of the harm model (threats and coercion) when its score reaches the
    threshold of the text's language, else ``None``. Like the abuse model it only flags: a
    moderator looks, the post stays up."""
    threshold = thresholds.get(score.language)
    if threshold is None or score.score < threshold:
        return None
    return Reason(f"harm_score:{score.language}", "flag", "threat", f"harm_model:{score.score:.3f}", None)
