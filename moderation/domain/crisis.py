"""Crisis language by risk: who is speaking, what she says she will do, with what, and when.

Why not a phrase list: a list of "I want to die" spellings finds about one crisis message in four
on real text, and it alerts on "we talked about suicide prevention". Crisis Text Line found that
words of means and method ("pills", "800mg", the pill emoji) predict an emergency better than the
word "suicide". So this module matches small *cue lexicons* (per language: English, Urdu script,
Roman Urdu; code-mixed text simply holds cues of several) and decides a risk from how they combine
in the clauses of a message:

* ``ideation`` and ``self_harm`` ("I want to die", "khud ko khatam kar dun", "خودکشی کر لوں",
  "hurting myself again"): ``high``;
* ``method`` (a means put to use: "take all the pills", "zehr kha lungi", "how many tablets",
  "hang myself") and ``means`` (pills, a dose, a medicine's name, a rope, a roof, a bridge, poison,
  a blade, the pill emoji) and ``time`` (a time or a plan: "tonight", "after everyone sleeps",
  "aaj raat", "faisla kar liya"): a method about herself, or ideation, a goodbye, a burden or
  hopelessness together with a means or a time, is ``imminent``;
* ``goodbye``, ``burden`` and ``hopeless`` ("tell my sister I loved her", "soon nobody will have
  to put up with me", "sab ko mujh se chutkara mil jayega"): ``moderate``;
* ``topic`` words ("suicide", "self harm", "khudkushi") count as ideation only about the writer
  and never in support talk (a workshop, a helpline, the news, a song or a drama).

Each cue is attributed to a subject: the person marker nearest before it in its clause ("my
friend said *she* wants to die" is about someone else), the cue's own words ("kill *myself*",
"kar *lungi*") or the auxiliary after it ("marna chahti *hun*" / "*hai*"). Cues about someone
else, and negated cues ("I would *never* kill myself"), still offer help, at ``moderate``; cues
addressed to "you" or to "anyone" (advice, "if you feel suicidal, call...") raise nothing.

Matching runs on the pipeline's normalised text through the Roman Urdu phonetic key
(``rules.roman_key``), so "zehr", "zeher" and "zehar" meet and the patterns below are written in
plain spelling; each pattern is keyed the same way when the module loads. ``{a|b}`` are
alternatives (an empty one drops the slot), ``~`` is a gap of up to two words and ``#`` a number
of five or more. The module is pure: no I/O beyond its own constants, no state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from moderation.domain.lexicon import expand
from moderation.domain.normalize import Normalized, normalize
from moderation.domain.rules import roman_key
from moderation.domain.verdict import CRISIS, Reason

__all__ = [
    "HIGH",
    "IMMINENT",
    "MODERATE",
    "RISKS",
    "CrisisFinding",
    "assess",
    "crisis_reason",
    "risk_of",
]

IMMINENT = "imminent"
HIGH = "high"
MODERATE = "moderate"
#: Risk levels, most urgent first (the review queue's order).
RISKS = (IMMINENT, HIGH, MODERATE)
#: The reason code the screener, the queue and the API already know.
REASON_CODE = "crisis:self_harm"

# --- cue lexicons ----------------------------------------------------------------------------
# One pattern a line. English, then Roman Urdu, then Urdu script.

_CUES: dict[str, dict[str, str]] = {
    "ideation": {
        "en": """
            {kill|killing|killed|end|ending|off} myself
            {kill|killing|end|ending|off} {herself|himself|themselves}
            {end|ending|take|taking} my {own |}life
            {end|ending|take|taking} her {own |}life
            {want|wanna|wanted|going|need} {to |}die
            wants to die
            {want|wanna|going} to end it {all|}
            end it all
            {don't|dont|do not|no longer} want to {live|be alive|exist|be here|wake up|go on}
            doesn't want to {live|be alive|exist}
            {wish|pray|hope} {i|} {was|were|am|'d be|d be} dead
            {wish|pray|hope} {i|} {don't|dont|never|wouldn't|won't|dont ever} wake up
            {rather|better off} ~ dead
            {commit|committing|attempt|attempted} suicide
            {stop|stopped} existing
            not {want|wanting} to be alive
            kms
            {sleep|sleeping} forever
            {to|not} wake up {again|ever|anymore|tomorrow}
        """,
        "roman_ur": """
            {marna|mrna|mar jana|mar jaana|mrjana|marjana} {chahti|chahta|chahtee|chati|hai}
            {marna|mrna} hai
            {kash|kaash|dil karta hai|dil krta hai|dil chahta hai} ~ mar {jaun|jaon|jaaun|jau}
            mar {jaun|jaon|jau} {to|tu} {acha|achha|behtar}
            {jeena|jina|zinda rehna|zinda rahna|zinda nahi rehna} nahi {chahti|chahta}
            zinda nahi {rehna|rahna}
            {jeena|jina} nahi hai
            {apni|apne} jaan {le lun|le lungi|lelungi|de dun|de dungi|lena chahti|le legi|le li}
            khud ko {maar|mar|khatam} {lun|lungi|dalun|dalungi|dun|dungi|kar lun|kar lungi|kar dun|kar dungi|karna|kar legi|kar degi|kar diya}
            {zindagi|zindgi} {khatam|khtm} {kar lun|kar dun|kar lungi|kar dungi|karna chahti|karna}
            {khudkushi|khud kushi|khudkhushi|khudkashi|suicide} ~ {kar|karna|karun|karungi|krna|krungi|kr|kar legi|kar li|karegi}
            {kushi|kushi} kar lungi
            {sab|sab kuch|sb} khatam kar {dungi|dun|lungi|lun}
            khatam kar {dungi|lungi} sab {kuch|}
        """,
        "ur": """
            {مرنا|مر جانا} {چاہتی|چاہتا|ہے}
            {کاش|دل کرتا ہے|دل چاہتا ہے} ~ مر {جاؤں|جاوں}
            {جینا|زندہ رہنا} نہیں {چاہتی|چاہتا|ہے}
            زندہ نہیں رہنا
            اپنی جان {لے لوں|لے لوں گی|دے دوں|دے دوں گی|لینا چاہتی|لے لے گی}
            خود کو {مار لوں|مار لوں گی|مار ڈالوں|ختم کر لوں|ختم کر دوں|ختم کر لوں گی|ختم کرنا}
            زندگی ختم کر {لوں|دوں|لوں گی|دوں گی}
            زندگی ختم کرنا
            {خودکشی|خود کشی} ~ {کر|کرنا|کروں|کروں گی}
        """,
    },
    "self_harm": {
        "en": """
            {hurt|hurting|cut|cutting|harm|harming|burn|burning|burned|burnt|scratch|scratching|hit|hitting|punish|punishing|starve|starving} myself
            {cuts|cut|hurts|harms|burns} herself
            {relapsed|relapse|relapsing} {into|on|} {self harm|selfharm|sh|cutting}
            {cutting|cut} again
            cuts are deep
            till they bleed
            {scratching|cutting} my {arms|wrists|arm|wrist|thighs}
        """,
        "roman_ur": """
            khud ko {nuksan|nuqsan|nuqsaan|nuksaan|takleef|zakhmi|chot} ~ {pohancha|pohanchati|pahuncha|pohanchana|de|deti|kar|karti|kr}
            {haath|hath|bazu|kalai} {pe|par|pr} {cut|cuts|zakham}
            {cutting|cut} kar rahi
            {nas|nass} {kaat|kat}
        """,
        "ur": """
            خود کو {نقصان|زخمی|تکلیف} ~ {پہنچا|پہنچاتی|کرتی|کر|دیتی}
            {ہاتھ|بازو|کلائی} پر {بلیڈ|کٹ}
            {نس|نسیں} {کاٹ|کاٹی}
        """,
    },
    "topic": {
        "en": """
            {suicide|suicidal|selfharm|self harm|self-harm}
            {suicidal|dark} thoughts
        """,
        "roman_ur": """
            {khudkushi|khud kushi|khudkhushi|khudkashi}
        """,
        "ur": """
            {خودکشی|خود کشی}
        """,
    },
    "method": {
        "en": """
            {take|taking|swallow|swallowing|took|swallowed|overdose on|od on} {all|the whole|a whole|every one of} ~ {pills|tablets|meds|medicine|bottle|strip|packet|antidepressants|painkillers}
            {swallow|swallowing} the whole bottle
            all my {pills|tablets|meds|antidepressants} at once
            {how many|how much} ~ {pills|tablets|panadol|paracetamol|xanax|meds|sleeping pills|mg} {would|to|is|does|will|enough}
            {how many|how much} ~ {pills|tablets|panadol|paracetamol|xanax|meds} ~ {die|wake up|kill}
            {lethal|deadly|fatal} dose
            enough to {not wake up|die|never wake up}
            {hang|hanging} myself
            {jump|jumping|throw myself} {off|from} {the|a|this|my|} {roof|bridge|building|balcony|terrace|window}
            {drank|drink|drinking|swallowed} {bleach|poison|acid|rat poison}
            {pills|tablets|goliyan} ~ {saved|collected|stocked|hoarded}
            {saved|collected|stocked|hoarded} {up|} ~ {pills|tablets}
            {rope|noose} ~ {ready|neck|fan}
            {standing|sitting} on the {roof|ledge|bridge}
            i have the {pills|blade|rope|poison}
            {looking|staring|stare|look} at the {fan|rope|pills|bridge|roof|ledge}
            {blade|pills|rope|poison} {is|are} ready
        """,
        "roman_ur": """
            {saari|sari|sab|poori|puri|tamam} ~ {goliyan|golian|goliya|tablets|pills|dawai|dawaiyan|patti} ~ {kha|khaa|khaun|le|pi|nigal}
            {zehr|zahr|zehar|zeher|poison} {kha|khaa|khaun|pi|pee|le}
            {zehr|zahr|zehar|zeher} ~ {mangwa|mangwaya|la li|rakha|mil gaya}
            {kitni|kitne} ~ {goliyan|golian|tablets|pills|dawai} ~ {khaun|khaon|se|maut}
            {chhat|chat|chhath|roof|pul|bridge|building} ~ {se|pe|par} ~ {chhalang|chalang|kood|koodne|koodna|kud|jump}
            {koodne|kudne|koodna} ka soch
            {pankhe|pankha|fan|chhat} ~ {se|pe|par} {latak|lattak|lutak|phanda}
            {rassi|rope} ~ {ready|gale}
            {train|gaari|gaadi|truck} ke {aage|neeche} {kood|aa|chhalang|lait}
            {goliyan|golian|pills|tablets} {jama|ikathi|ikatthi|collect} kar {li|lin|rakhi}
            {keeray|keere|keera|keeron} maar {dawai|dawa|spray} {pi|kha}
            {pills|goliyan|tablets} le li {hain|hai}
            {blade|chhuri|churi} le ke baithi
            {roof|chhat|pul|bridge} {pe|par} hun
        """,
        "ur": """
            {ساری|سب|پوری|تمام} ~ {گولیاں|دوائی|دوائیاں|پتی} ~ {کھا|پی|لے}
            زہر {کھا|پی|لے}
            {کتنی|کتنے} ~ {گولیاں|گولی} ~ {کھاؤں|کھانے|کافی|مروں}
            {چھت|پل|عمارت} ~ سے {چھلانگ|کود}
            {پنکھے|پنکھا} سے {لٹک|پھندا}
            {گولیاں|دوائی} جمع کر لی
            {رسی|دوپٹہ} ~ {باندھ|گلے}
        """,
    },
    "means": {
        "en": """
            {pills|tablets|sleeping pills|meds|overdose|od|antidepressants|painkillers|bottle of pills}
            {panadol|paracetamol|xanax|lexotanil|alprazolam|valium|ativan|insulin|tramadol|rivotril|clonazepam|diazepam}
            {poison|rat poison|bleach|pesticide|acid}
            {rope|noose|blade|razor}
            {roof|rooftop|bridge|ledge|terrace|balcony|railway track|train tracks}
            # {pills|tablets|sleeping pills|panadol|paracetamol|xanax|meds}
            {jump|jumping} off
        """,
        "roman_ur": """
            {goliyan|golian|goliya|goli|neend ki goli|neend ki goliyan|dawai ~ patti|patti}
            {zehr|zahr|zehar|zeher|zehreela}
            {keeray maar|keere maar} {dawai|dawa}
            {rassi|phanda|pankha|pankhe}
            {chhat|chhath|pul}
            # {goliyan|golian|tablets|pills}
        """,
        "ur": """
            {گولیاں|گولی|نیند کی گولیاں|دوائی ~ پتی}
            {زہر|زہریلی|تیزاب}
            {رسی|پھندا|پنکھے|بلیڈ}
            {چھت|پل}
        """,
    },
    "time": {
        "en": """
            {tonight|tomorrow morning|right now|after class|this weekend}
            {tonight|today} is the {night|day}
            {my last|this is my last} {post|night|day|message}
        """,
        "roman_ur": """
            {aaj raat|aj raat|aaj rat|aj rat|kal subah}
            {aakhri|akhri|last} {raat|din|baar|post}
            kal subah tak
        """,
        "ur": """
            {آج رات|کل صبح}
            {آخری|آخر} {رات|بار|دن}
            کل صبح تک
        """,
    },
    # A plan, or the secrecy a plan needs.
    "plan": {
        "en": """
            {after|when|once} {everyone|everybody|they|all} ~ {sleeps|sleep|asleep|leaves|goes}
            before {anyone|everyone|they} ~ {wakes|wake}
            {i've|i have} decided
            {have|got|made} a plan
            {wrote|written|writing} {my|a|the} {note|letter|letters}
        """,
        "roman_ur": """
            {sab|sb|ghar wale|gharwale} ~ {so jayen|so jaen|soyen|sone} ~ {ke baad|to|tab}
            sone ke baad
            {faisla|faisala|faislah} kar {liya|lia|li}
        """,
        "ur": """
            {سب|گھر والے} ~ {سونے|سو جائیں} ~ {کے بعد|تو}
            فیصلہ کر {لیا|لی}
        """,
    },
    "goodbye": {
        "en": """
            {tell|telling} my {sister|sisters|mother|mom|mum|ammi|brother|dad|father|family|friends|best friend} ~ {loved|love|sorry}
            {take|please take} care of my {cat|mother|mom|sister|family|kids|ammi}
            goodbye {everyone|everybody|all|forever|world|guys}
            {sorry|forgive me} {everyone|everybody|for everything}
            if anything happens {to me|}
            thank you for being kind to me
        """,
        "roman_ur": """
            {ammi|abbu|ami|abu|behen|bhai|sab|family} ka {khayal|khyal|khial} rakhna
            {meri|mere} {behen|ammi|ami|bhai|dost} ko {batana|bata dena|kehna} ~ {pyar|pyaar|maaf|sorry}
            {alvida|alwida|khuda hafiz} {sab|sab ko|everyone|dosto}
            {sab ko|sab} {alvida|alwida}
            {mujhe|mujhay} maaf kar dena
            maaf kar dena {ammi|abbu|sab}
        """,
        "ur": """
            {امی|ابو|بہن|بھائی|سب} کا خیال رکھنا
            {امی|ابو|بہن|بھائی} کو {بتانا|کہنا} ~ {پیار|معاف}
            {سب کو} {خدا حافظ|الوداع|الوداع}
            {مجھے|} معاف کر دینا
        """,
    },
    "burden": {
        "en": """
            {nobody|no one|noone|nobody else} will {have to|} {put up with|deal with|miss|notice|care}
            {nobody|no one} would {even|} {notice|miss|care}
            {nobody|no one} {will|would|is going to} miss me
            better off without me
            {happier|better|fine} without me
            {such a|a|just a} burden
            everyone would be better off
        """,
        "roman_ur": """
            {mujh|mujhe|mujhse} se {chutkara|chhutkara|jaan chhut|jaan chhoot|jan chut|jaan chut}
            {chutkara|chhutkara} mil {jayega|jaye ga|jaega}
            jaan {chhut|chhoot|chut} {jayegi|jaye gi|jaegi}
            {mere|mery} {baghair|bagair|bina} ~ {khush|behtar|acha}
            {bojh|boj} {hun|hoon|hu|ban gayi}
            koi ~ yaad nahi {karega|karay ga|kare ga}
        """,
        "ur": """
            میرے بغیر ~ {خوش|بہتر}
            {بوجھ} {ہوں|بن گئی}
            کوئی ~ یاد نہیں {کرے گا|کرے گی}
            {مجھ سے} {جان چھوٹ|چھٹکارا}
        """,
    },
    "hopeless": {
        "en": """
            {no|nothing} {reason|point} ~ {living|live|anymore}
            nothing to live for
            no point in {living|trying|life}
            {can't|cant|can not|cannot} go on
            {can't|cant|can not|cannot} do this anymore
            {no way out|never end|will never end|it will never end}
            {tired|sick} of {living|life|being alive}
            {want|need} the pain to stop
            i'm so {empty|hopeless}
            {gave up|giving up} on {life|myself|everything}
        """,
        "roman_ur": """
            {jeene|jine|jeenay} ka koi {faida|fayda|faaida|matlab|maqsad}
            {jeene|jine} ki koi {wajah|waja} nahi
            koi {faida|fayda} nahi ~ {jeene|jine|zindagi}
            {koi|ab koi} {umeed|umid|ummeed} nahi
            {umeed|umid} khatam
            {zindagi|zindgi} se {thak|tang|tung|bezaar} {gayi|gai|aa gayi|hun}
            aur nahi
        """,
        "ur": """
            {جینے|جینا} {کا|کی} کوئی {فائدہ|وجہ|مقصد}
            کوئی امید نہیں
            زندگی سے {تھک|تنگ}
        """,
    },
    # Talk *about* a topic ("khudkushi ke baare mein baat karna taboo nahi").
    "talk": {
        "en": """
            {talk|talking|talked|speak|speaking} about
        """,
        "roman_ur": """
            {ke|ki} {baare|bare|barey} {mein|me|main}
            baat {karna|karni|ki|hui|krna}
        """,
        "ur": """
            کے بارے میں
            بات {کرنا|کی|ہوئی}
        """,
    },
    # Past, recovered: "used to self harm, 5 years clean now".
    "recovery": {
        "en": """
            used to
            clean now
            {recovered|recovering} from
            in recovery
        """,
        "roman_ur": """
            pehle {karti|sochti} thi
        """,
        "ur": """
            پہلے {کرتی|سوچتی} تھی
        """,
    },
    # A goodbye that is not a farewell ("see you after my holiday").
    "see_you": {
        "en": """
            {see you|see u|see ya|holiday|vacation|trip|moving to}
        """,
        "roman_ur": """
            {milte hain|phir milenge|moving|shift ho}
        """,
        "ur": """
            پھر ملیں گے
        """,
    },
    # A cause that turns "die" into an idiom ("die of embarrassment", "hansi se mar gayi").
    "idiom": {
        "en": """
            {of|from} {shame|happiness|boredom|cuteness|heat}
        """,
        "roman_ur": """
            {hansi|hasi|sharam|garmi|khushi|thand} se
        """,
        "ur": """
            {ہنسی|شرم|گرمی|خوشی} سے
        """,
    },
}

# Person markers (single words): who a cue is about.
_FIRST = """
    i im i'm ive i've id i'd me myself main mein mai mujhe mujhy mjhe muje mujh mujhse hun hoon hu
    میں مجھے مجھ ہوں
"""
_THIRD = """
    she he her him his they them their friend friends sister brother cousin mom dad roommate
    classmate daughter son colleague student girl boy woman man larki larka ladki ladka aunt uncle
    wo woh voh vo us usne uss usay usse uski uska unhon unho dost behen bhai beti
    وہ اس اسے اسکی دوست بہن بھائی بیٹی لڑکی
"""
# Second person and anyone: advice ("if you feel suicidal, call ...") is not a crisis.
_OTHER = """
    you your yourself u ur someone somebody anyone anybody people person aap ap tum tu apko
    آپ تم کوئی لوگ
"""
# Auxiliaries and verb endings right after a cue: "marna chahti hun" / "marna chahti hai".
_FIRST_AFTER = "hun hoon hu lungi dungi karungi jaungi lun dun karun jaun ہوں گی لوں دوں"
_THIRD_AFTER = "hai hain he hy legi degi karegi jayegi ہے ہیں"
_NEGATION = """
    never not dont don didnt didn wouldnt wouldn wont won no nahi nahin nai nhi na mat kabhi
    نہیں نہ مت کبھی
"""
# Support talk about crisis, the news, songs and dramas: topic words and others' words are not
# an alert there (her own words still are).
_SUPPORT = """
    prevention awareness workshop seminar webinar trainer helpline hotline lifeline news headline
    report reports research study studies campaign podcast documentary akhbar khabar
    آگاہی ورکشاپ سیمینار ہیلپ لائن خبر اخبار تحقیق بچاؤ
"""
_MEDIA = """
    song songs lyrics movie film drama episode series novel poem gaana gana nazm
    فلم ڈرامہ گانا
"""
_CLAUSE_WORDS = "but however lekin magar لیکن مگر"
_CLAUSE_SPLIT = re.compile(r"[.!?;,\n\u060c\u061b\u061f\u06d4]+")
_QUOTED = re.compile(r"(?:^|\s)[\"“‘'][^\"”’']{3,}[\"”’']")
_DOSE = re.compile(r"(?<![\d.])\d{2,5}\s?(?:mg|ml)\b", re.I)
_MEANS_EMOJI = ("\U0001f48a", "\U0001faa2")  # pill, knot (rope)
_GAP = "~"
_NUMBER = "#"
_MAX_GAP = 2
_MIN_COUNT = 5

# Categories, and what each one is for the level.
_DISTRESS = frozenset({"ideation", "self_harm"})
_MODERATE_CUES = frozenset({"goodbye", "burden", "hopeless"})
# Whose means or time it is does not matter: her own words of distress decide.
_NEUTRAL = frozenset({"means", "time", "plan"})
# Verb-ending cues whose auxiliary tells the person ("marna chahti hun" / "... hai").
_VERBAL = frozenset({"ideation", "self_harm", "topic", "goodbye", "burden", "hopeless"})
# Not cues: the context a clause or a message gives them.
_CONTEXT = frozenset({"idiom", "talk", "recovery", "see_you"})


def _key_tokens(text: str) -> list[str]:
    return roman_key(normalize(text).text).split()


def _words(block: str) -> frozenset[str]:
    """Keyed single words ("i'm" splits into "i" and "m", and only whole words are markers)."""
    out: set[str] = set()
    for w in block.split():
        toks = _key_tokens(w)
        if len(toks) == 1:
            out.add(toks[0])
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class _Pattern:
    category: str
    tokens: tuple[str, ...]  # keyed tokens; _GAP and _NUMBER are wildcards
    subject: str | None  # fixed by the cue's own words ("myself", "lungi", "herself")


@dataclass(frozen=True, slots=True)
class _Lexicon:
    by_first: dict[str, tuple[_Pattern, ...]]
    numbered: tuple[_Pattern, ...]  # patterns that start with a number
    first: frozenset[str]
    third: frozenset[str]
    other: frozenset[str]
    first_after: frozenset[str]
    third_after: frozenset[str]
    negation: frozenset[str]
    support: frozenset[str]
    media: frozenset[str]
    clause_words: frozenset[str]
    sentinel: str


_FIRST_FORCING = "myself lungi dungi karungi jaungi lun dun hun hoon mujhe mujh mera meri my i me لوں دوں ہوں مجھے"
_THIRD_FORCING = "herself himself themselves wants doesn legi degi karegi her"


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    """Key every pattern once (the first call takes a few milliseconds)."""
    first_forcing = _words(_FIRST_FORCING)
    third_forcing = _words(_THIRD_FORCING)
    by_first: dict[str, list[_Pattern]] = {}
    numbered: list[_Pattern] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for category, langs in _CUES.items():
        for block in langs.values():
            for line in block.strip().splitlines():
                for variant in expand(line.strip()):
                    toks: list[str] = []
                    for part in variant.split():
                        toks.extend([part] if part in (_GAP, _NUMBER) else _key_tokens(part))
                    while toks and toks[-1] == _GAP:
                        toks.pop()
                    if not toks or toks[0] == _GAP or (category, tuple(toks)) in seen:
                        continue
                    seen.add((category, tuple(toks)))
                    literal = set(toks)
                    subject = (
                        "third" if literal & third_forcing
                        else "first" if literal & first_forcing
                        else None
                    )
                    pat = _Pattern(category, tuple(toks), subject)
                    if toks[0] == _NUMBER:
                        numbered.append(pat)
                    else:
                        by_first.setdefault(toks[0], []).append(pat)
    return _Lexicon(
        {k: tuple(v) for k, v in by_first.items()},
        tuple(numbered),
        _words(_FIRST),
        _words(_THIRD),
        _words(_OTHER),
        _words(_FIRST_AFTER),
        _words(_THIRD_AFTER),
        _words(_NEGATION),
        _words(_SUPPORT),
        _words(_MEDIA),
        _words(_CLAUSE_WORDS),
        _key_tokens("zqxjzq")[0],
    )


def _is_count(tok: str) -> bool:
    return tok.isdigit() and len(tok) <= 4 and int(tok) >= _MIN_COUNT


def _match(toks: tuple[str, ...], words: list[str], i: int, gaps: list[int]) -> int:
    """The end of ``toks`` matched at ``words[i:]`` (gap positions appended), or -1."""
    k = 0
    n = len(words)
    while k < len(toks):
        t = toks[k]
        if t == _GAP:
            rest = toks[k + 1 :]
            for skip in range(_MAX_GAP + 1):
                if i + skip > n:
                    break
                tried: list[int] = []
                end = _match(rest, words, i + skip, tried)
                if end >= 0:
                    gaps.extend(range(i, i + skip))
                    gaps.extend(tried)
                    return end
            return -1
        if i >= n:
            return -1
        w = words[i]
        if t == _NUMBER:
            if not _is_count(w):
                return -1
        elif w != t:
            return -1
        i += 1
        k += 1
    return i


@dataclass(frozen=True, slots=True)
class _Cue:
    category: str
    subject: str  # first, third, other, or none (no marker: in a post, that is herself)
    negated: bool
    clause: int


@dataclass(frozen=True, slots=True)
class CrisisFinding:
    """The risk a text shows, the cues that decided it, and the clause to show a moderator."""

    risk: str
    cues: tuple[str, ...]
    excerpt: str


def _subject(lex: _Lexicon, words: list[str], start: int, end: int, p: _Pattern) -> str:
    if p.subject is not None:
        return p.subject
    if p.category in _NEUTRAL:
        return "none"
    for j in range(start - 1, -1, -1):
        w = words[j]
        if w in lex.first:
            return "first"
        if w in lex.third:
            return "third"
        if w in lex.other:
            return "other"
    if p.category in _VERBAL and end < len(words):
        if words[end] in lex.first_after:
            return "first"
        if words[end] in lex.third_after:
            return "third"
    return "none"


def _clauses(lex: _Lexicon, folded: str) -> list[list[str]]:
    marked = _CLAUSE_SPLIT.sub(f" {lex.sentinel} ", folded) if _CLAUSE_SPLIT.search(folded) else folded
    clauses: list[list[str]] = [[]]
    for w in roman_key(marked).split():
        if w == lex.sentinel or w in lex.clause_words:
            if clauses[-1]:
                clauses.append([])
        else:
            clauses[-1].append(w)
    return clauses


def _cues_in(lex: _Lexicon, words: list[str], clause: int) -> tuple[list[_Cue], set[str]]:
    """The cues of one clause, and the context it gives them (an idiom, talk about, ...)."""
    found: list[_Cue] = []
    context: set[str] = set()
    by_first = lex.by_first
    for i, w in enumerate(words):
        pats = by_first.get(w)
        if pats is None:
            if not (lex.numbered and w.isdigit()):
                continue
            pats = lex.numbered
        for p in pats:
            gaps: list[int] = []
            end = _match(p.tokens, words, i, gaps)
            if end < 0:
                continue
            if p.category in _CONTEXT:
                context.add(p.category)
                continue
            window = words[max(0, i - 3) : i] + [words[g] for g in gaps]
            negated = any(x in lex.negation for x in window)
            found.append(_Cue(p.category, _subject(lex, words, i, end, p), negated, clause))
    return found, context


def assess(text: str, normalized: Normalized | None = None) -> CrisisFinding | None:
    """The crisis risk of ``text`` (``imminent``, ``high``, ``moderate``), or None.

    Pass the pipeline's ``Normalized`` to avoid folding the text twice. Never raises on a string.
    """
    if not text:
        return None
    n = normalized if normalized is not None else normalize(text)
    lex = _lexicon()
    clauses = _clauses(lex, n.text)
    cues: list[_Cue] = []
    context: dict[int, set[str]] = {}
    for c, words in enumerate(clauses):
        found, ctx = _cues_in(lex, words, c)
        cues.extend(found)
        if ctx:
            context[c] = ctx
    original = n.original
    emoji = any(e in original for e in _MEANS_EMOJI)
    dose = any(ch.isdigit() for ch in original) and _DOSE.search(original) is not None
    if not cues and not emoji:
        return None
    all_words = {w for words in clauses for w in words}
    support = not lex.support.isdisjoint(all_words)
    media = not lex.media.isdisjoint(all_words)
    quoted = media and _QUOTED.search(original) is not None
    first_anywhere = not lex.first.isdisjoint(all_words)
    return _decide(cues, context, support, media, quoted, emoji, dose, first_anywhere,
                   clauses, n)


def _decide(
    cues: list[_Cue],
    context: dict[int, set[str]],
    support: bool,
    media: bool,
    quoted: bool,
    emoji: bool,
    dose: bool,
    first_anywhere: bool,
    clauses: list[list[str]],
    n: Normalized,
) -> CrisisFinding | None:
    if quoted:
        return None
    distress_clauses = {c.clause for c in cues if c.category in _DISTRESS}
    in_message = set().union(*context.values()) if context else set()
    kept: list[_Cue] = []
    for c in cues:
        ctx = context.get(c.clause, ())
        if c.subject == "other":
            continue  # advice to "you", talk of "anyone"
        if c.category == "topic" and (
            support or media or c.clause in distress_clauses or "recovery" in in_message
            or ("talk" in ctx and c.subject != "first")
        ):
            continue
        if (support or media) and c.subject != "first" and c.category not in _NEUTRAL:
            continue  # workshops, the news, dramas: only her own words count
        if "idiom" in ctx and c.category in {"ideation", "topic", "hopeless"}:
            continue
        if c.category == "goodbye" and "see_you" in in_message:
            continue
        kept.append(c)
    mine = [c for c in kept if c.subject in ("first", "none") and not c.negated]
    lower = [c for c in kept if c not in mine]
    cats = {c.category for c in mine}
    means = "means" in cats or emoji or dose
    when = bool(cats & {"time", "plan"})
    ideation = bool(cats & ({"ideation", "topic"} | _MODERATE_CUES))
    distress = ideation or "self_harm" in cats
    risk: str | None = None
    if (
        "method" in cats
        or (distress and means)
        or (ideation and when)
        or ("plan" in cats and "time" in cats)
        or (means and when and first_anywhere)
        or (emoji and when)
    ):
        risk = IMMINENT
    elif cats & (_DISTRESS | {"topic"}):
        risk = HIGH
    elif cats & _MODERATE_CUES or any(
        c.category in _DISTRESS | {"topic", "method"} for c in lower
    ) or any(c.category in _MODERATE_CUES and not c.negated for c in lower):
        risk = MODERATE
    if risk is None:
        return None
    if media and risk != IMMINENT:
        risk = MODERATE  # her words beside a song or a drama: help, at a lower risk
    decisive = mine or lower
    names = tuple(dict.fromkeys(c.category for c in kept)) + (("means",) if emoji or dose else ())
    return CrisisFinding(risk, tuple(dict.fromkeys(names)), _excerpt(n, clauses, decisive))


def _excerpt(n: Normalized, clauses: list[list[str]], decisive: Iterable[_Cue]) -> str:
    """A short piece of the original text for moderators (the whole text when short)."""
    text = n.original.strip()
    if len(text) <= 120:
        return text
    return text[:117] + "..."


def crisis_reason(text: str, normalized: Normalized | None = None) -> Reason | None:
    """The pipeline's crisis reason for ``text``: code ``crisis:self_harm``, action ``crisis``,
    source ``crisis:<risk>`` (so the queue reads the risk from the reason's origin)."""
    found = assess(text, normalized)
    if found is None:
        return None
    return Reason(REASON_CODE, CRISIS, "self_harm", f"crisis:{found.risk}", found.excerpt)


def risk_of(reasons: Iterable[object]) -> str | None:
    """The most urgent crisis risk among ``reasons`` (``Reason`` values or the screener's dicts,
    whose ``origin`` or ``source`` is ``crisis:<risk>``), or None when none carries one."""
    best: int | None = None
    for r in reasons:
        if isinstance(r, dict):
            origin = str(r.get("origin") or r.get("source") or "")
        else:
            origin = str(getattr(r, "source", "") or "")
        risk = origin.rsplit(":", 1)[-1] if origin.startswith("crisis:") else ""
        if risk in RISKS:
            rank = RISKS.index(risk)
            best = rank if best is None else min(best, rank)
    return None if best is None else RISKS[best]
