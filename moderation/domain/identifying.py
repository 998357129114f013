"""Identifying details: phone and landline numbers, CNIC numbers, e-mail and home addresses.

Why a detector of shapes: doxxing is how a stalker's harassment leaves the screen. A number is
written ``0300 123 45 67``, ``0333/765/4321``, ``(0321) 555-7788``, ``+92-345-1234567``,
``zero three double zero 1234567``, ``۰۳۰۰-۱۲۳۴۵۶۷``; an e-mail ``name at gmail dot com``,
``name[at]yahoo[dot]com``, ``name ایٹ gmail ڈاٹ com``; an address ``House 14, Street 7, F-8/3``,
``DHA phase 5, street 12``, ``gali number 7, mohalla ...``, ``مکان نمبر ۲۳، گلی نمبر ۵``. The
detector reads runs of digits and spelled digits across any separators, then asks what the
digits are (a mobile, a landline with its area code, a CNIC); and it counts the parts of an
address (house, street, sector or block or phase, a named area, "she lives"), asking for two,
so "the shop on street 5" or "DHA is expensive" pass.

Public help-line numbers (``moderation/data/helplines.json`` through ``public_numbers``) and
numbers that are public by their shape (toll-free 0800, UAN 111) are never personal information.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from moderation.domain.normalize import fold_char_table, normalize
from moderation.domain.verdict import Reason

__all__ = ["detect_identifying", "national_digits", "public_numbers"]

_SOURCE = "detector:personal_info"

# --- numbers --------------------------------------------------------------------------------------
_SPELLED = {
    "zero": "0", "oh": "0", "o": "0", "nought": "0", "naught": "0", "one": "1", "two": "2",
    "three": "3", "four": "4", "hundred": "00",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "tree": "3",
    # "hundred" between two digits: "teen sau chaar" / "تین سو تین" is 3-0-4 / 3-0-3 (a digit run
    # only: alone these are everyday words)
    "سو": "0",
    # Urdu words for the digits, and English digit names in Urdu script
    "صفر": "0", "ایک": "1", "دو": "2", "تین": "3", "چار": "4", "پانچ": "5", "چھ": "6",
    "سات": "7", "آٹھ": "8", "نو": "9", "زیرو": "0", "ون": "1", "ٹو": "2", "تھری": "3",
    "فور": "4", "فائیو": "5", "سکس": "6", "سیون": "7", "ایٹ": "8", "نائن": "9",
}
# Roman Urdu digit names, as typed ("zero teen teen do, saat saat paanch"). Several are everyday
# words too ("do", "sat", "che"), so they are read as digits only in a text that holds at
# least three of them (`_ROMAN_MIN`): a run long enough to be a number needs more.
_SPELLED_RU = {
    "sifar": "0", "ek": "1", "aik": "1", "ik": "1", "do": "2", "teen": "3", "tin": "3",
    "char": "4", "chaar": "4", "panch": "5", "paanch": "5", "panj": "5", "chay": "6",
    "chhe": "6", "chhay": "6", "che": "6", "chey": "6", "saat": "7", "sat": "7", "aath": "8",
    "aat": "8", "nau": "9", "nao": "9", "sau": "0",
}
_ROMAN_MIN = 3
_REPEAT = {"double": 2, "triple": 3, "ڈبل": 2, "ٹرپل": 3}
_SPELLED_FOLDED = {normalize(k).text: v for k, v in (_SPELLED | _SPELLED_RU).items()}
_REPEAT_FOLDED = {normalize(k).text: v for k, v in _REPEAT.items()}
_ROMAN_DIGITS = frozenset(_SPELLED_RU)


def _run_of(words: Iterable[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    unit = rf"(?:\d+|(?<!\w)(?:{alternation})(?!\w))"
    return re.compile(rf"\+?{unit}(?:{_SEP}{unit})*"), re.compile(unit)


# not ":" (times: "19:31:20"); the Urdu full stop and the Arabic comma are typed between groups
_SEP = r"[\s\-./()+_*,#|\\\u06d4\u060c\u2010-\u2015]{0,4}"
_BASE_WORDS = {normalize(k).text for k in _SPELLED} | set(_REPEAT_FOLDED)
_RUN, _UNIT_RE = _run_of(_BASE_WORDS)
_RUN_ROMAN, _UNIT_RE_ROMAN = _run_of(_BASE_WORDS | _ROMAN_DIGITS)
_DIGIT = re.compile(r"\d")
_DIGIT_WORDS = "zero|one|two|three|four|five|six|seven|eight|nine|double|triple"
_GLUED_HINT = re.compile(rf"(?:{_DIGIT_WORDS}|\d)(?:{_DIGIT_WORDS})|(?:{_DIGIT_WORDS})\d")
_GLUED = re.compile(rf"({_DIGIT_WORDS}|\d)(?=(?:{_DIGIT_WORDS})|(?<=[a-z])\d)")
_SPELLED_HINTS = ("zero", "sifar", "double", "triple", "oh three", "oh-three", "nought", "naught",
                  *(normalize(w).text for w in ("صفر", "زیرو", "ڈبل")))
#: Most numbers reported for one text (a wall of digits must not grow the verdict without bound).
MAX_NUMBERS = 10
_LENGTHS = (14, 13, 12, 11, 10)  # from 0092 and a mobile down to a landline with its area code

_MOBILE = re.compile(r"03\d{9}")
_CNIC = re.compile(r"[1-7]\d{12}")
_LANDLINE = re.compile(r"0[2-9]\d{8,9}")
_PUBLIC_SHAPE = re.compile(r"0800\d+|0900\d+|0?111\d{6}")


def national_digits(digits: str) -> str:
    """A Pakistani number in its national form (``+92 300 ...`` and ``0092 300 ...`` → ``0300...``)."""
    if digits.startswith("0092"):
        return "0" + digits[4:]
    if digits.startswith("92") and len(digits) >= 11:
        return "0" + digits[2:]
    if digits.startswith("3") and len(digits) == 10:
        return "0" + digits
    return digits


@lru_cache(maxsize=1)
def public_numbers() -> frozenset[str]:
    """The national digits of every public help line (read through ``moderation.helplines``).

    Read lazily, once per process, so the domain stays importable alone; if the help-line module
    cannot be read the set is empty (no number is exempted), never an error.
    """
    try:
        from moderation.helplines import load_helplines

        lines: Iterable[dict[str, object]] = load_helplines()
    except Exception:  # noqa: BLE001 - a missing data file exempts nothing, and never crashes
        return frozenset()
    out = set()
    for line in lines:
        digits = re.sub(r"\D", "", str(line.get("phone") or line.get("number") or ""))
        if digits:
            out.add(national_digits(digits))
    return frozenset(out)


# Words that name a number as a service's ("Rozan counselling helpline 0304-111-1741"): a help line
# not yet in helplines.json is still no one's personal number. Only a mobile in the UAN shape
# (0XXX-111-XXXX) is exempted by them: "helpline lol 0300-1234567" is still her number.
_SERVICE_SHAPE = re.compile(r"0\d{3}111\d{4}")
_SERVICE_WORDS = ("helpline", "help line", "hotline", "uan", "toll free", "tollfree", "counselling",
                  "counseling", "call centre", "call center", normalize("ہیلپ لائن").text)
_SERVICE_REACH = 40


# A landline beside a business open to the public ("Madina Pharmacy ... call 042-35761234 for home
# delivery") is the business's: a landline only (a mobile may be a woman's own), and only when
# nothing in the text says it is hers.
_PUBLIC_BUSINESS = re.compile(
    r"(?<!\w)(?:pharmacy|chemist|clinic|hospital|restaurant|cafe|bakery|store|delivery|booking|"
    r"reception|open (?:24|daily|from|till)|timings|helpdesk|office hours|hotline|courier|"
    r"customer (?:care|service)|order)(?!\w)"
)


_HER_NAMED = re.compile(r"(?<!\w)(?:she|her|shes|iski|uski|iska|uska|is ki|us ki|is ka|us ka)(?!\w)")


def _public_line(folded: str, excerpt: str) -> bool:
    """Whether a phone number found in the text is a service's or a business's, not a person's:
    a UAN-shaped mobile named a help line just before it, or a landline beside a public business
    with nothing saying it is hers."""
    digits = national_digits(re.sub(r"\D", "", excerpt))
    if _SERVICE_SHAPE.fullmatch(digits):
        at = folded.find(excerpt)
        before = folded[max(0, at - _SERVICE_REACH) : max(0, at)]
        if any(w in before for w in _SERVICE_WORDS):
            return True
    return (
        _LANDLINE.fullmatch(digits) is not None and not digits.startswith("03")
        and _PUBLIC_BUSINESS.search(folded) is not None and _HER_NAMED.search(folded) is None
    )


@lru_cache(maxsize=4096)  # a wall of one digit asks the same question thousands of times
def _classify(digits: str) -> str | None:
    if len(digits) < 10:
        return None
    national = national_digits(digits)
    if national in public_numbers() or _PUBLIC_SHAPE.fullmatch(national):
        return None
    if _MOBILE.fullmatch(national):
        return "phone"
    if _CNIC.fullmatch(digits):
        return "cnic"
    if _LANDLINE.fullmatch(national):
        return "phone"
    return None


def _numbers(text: str, roman: bool = False) -> Iterable[tuple[str, str]]:
    """(kind, excerpt) for every phone, landline or CNIC number in the folded text.

    A run of digits and spelled digits may hold several numbers or extra digits around one, so
    every stretch of 10 to 14 digits that starts and ends on a piece is tried, longest first.
    """
    run_re, unit_re = (_RUN_ROMAN, _UNIT_RE_ROMAN) if roman else (_RUN, _UNIT_RE)
    for run in run_re.finditer(text):
        units = [(m.start(), m.end()) for m in unit_re.finditer(run.group())]
        pieces = _pieces([run.group()[a:b] for a, b in units])
        digits = "".join(pieces)
        ends: dict[int, int] = {}  # digit offset where a piece ends -> index of the next piece
        starts: list[tuple[int, int]] = []  # (digit offset, piece index) where a piece starts
        pos = 0
        for k, piece in enumerate(pieces):
            if piece:
                starts.append((pos, k))
            pos += len(piece)
            ends[pos] = k + 1
        taken = 0
        for offset, k in starts:
            if offset < taken:
                continue
            first = digits[offset]
            for length in _LENGTHS:
                if first not in "0953" and length != 13:
                    continue  # only a CNIC starts with another digit
                end = ends.get(offset + length)
                if end is None:
                    continue
                kind = _classify(digits[offset : offset + length])
                if kind is not None:
                    taken = offset + length
                    yield kind, run.group()[units[k][0] : units[end - 1][1]]
                    break


def _pieces(units: list[str]) -> list[str]:
    """The digits each unit stands for; "double"/"triple" give nothing and repeat the next one."""
    out: list[str] = []
    repeat = 1
    for u in units:
        if u in _REPEAT_FOLDED:
            repeat = _REPEAT_FOLDED[u]
            out.append("")
            continue
        d = u if u.isdigit() else _SPELLED_FOLDED.get(u, "")
        out.append(d[:1] * repeat + d[1:] if d else "")
        repeat = 1
    return out


# --- e-mail ---------------------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_AT = (r"(?:@|\(at\)|\[at\]|\{at\}|<at>|\[@\]|\(@\)|"
       # "at the rate" is how "@" is read out in Pakistan ("sana at the rate gmail dot com")
       r"(?:@|(?<!\w)at)\s*(?:the|da|de)\s*rate(?!\w)|(?<!\w)at(?!\w)|"
       + "|".join(re.escape(normalize(w).text) + r"(?!\w)" for w in ("ایٹ", "اٹ", "ایٹ دی ریٹ"))
       + ")")
_DOT = (r"(?:\.|\(dot\)|\[dot\]|\{dot\}|<dot>|\[\.\]|\(\.\)|\{\.\}|(?<!\w)dot(?!\w)|"
        + re.escape(normalize("ڈاٹ").text) + ")")
# E-mail providers and endings written in Urdu script ("جی میل ڈاٹ کام") read as their Latin names.
_UR_EMAIL_WORDS = tuple(
    (normalize(ur).text, latin)
    for ur, latin in (("جی میل", "gmail"), ("جیمیل", "gmail"), ("یاہو", "yahoo"),
                      ("ہاٹ میل", "hotmail"), ("ہوٹ میل", "hotmail"), ("آؤٹ لک", "outlook"),
                      ("کام", "com"), ("پی کے", "pk"))
)
_AT_UR = normalize("ایٹ").text
_AT_UR_SHORT = normalize("اٹ").text
_EMAIL_PROVIDER = re.compile(
    rf"(?<![\w.])[^\W_][\w.+\-]*\s*{_AT}\s*"
    r"(?:gmail|yahoo|hotmail|outlook|live|icloud)(?!\w)"
)
_EMAIL_SPELLED = re.compile(
    # the name before the "@" may be in Urdu script too ("زینب ایٹ جی میل ڈاٹ کام")
    rf"(?<![\w.])[^\W_][\w.+\-]*\s*{_AT}\s*[a-z0-9][a-z0-9\-]+\s*{_DOT}\s*"
    r"(?:com|net|org|pk|edu|co|io|me|info|uk|in)(?!\w)"
)

# --- addresses ------------------------------------------------------------------------------------
_NO = r"(?:\s*(?:no\b\.?|number\b|num\b|nmbr\b|nbr\b|#|:|-)\s*)*"
_UR_NO = r"(?:\s*" + re.escape(normalize("نمبر").text) + r")?\s*"


def _u(words: str) -> str:
    return "|".join(re.escape(normalize(w).text) for w in words.split())


_VILLAGE = "mouza|mauza|moza|goth|gaon|gaaon|dhok|village"
_VILLAGE_UR = "گاؤں گاوں ڈھوک موضع گوٹھ"
_ADDRESS_PARTS = {
    "house": re.compile(
        rf"(?<!\w)(?:house|makan|makaan|mkan|plot|flat|apartment|apt|bungalow|kothi|h){_NO}\s*"
        rf"(?:[a-z]\s?-\s?)?\d+[a-z]?(?!\w)|(?<!\w)(?:{_u('مکان پلاٹ فلیٹ بنگلہ کوٹھی گھر')}){_UR_NO}\d+"
    ),
    "street": re.compile(
        rf"(?<!\w)(?:street|st|lane|gali|galli|gly|road|rd|avenue|ave|khayaban|kucha){_NO}\s*"
        rf"\d+(?!\w)|(?<!\w)(?:{_u('گلی سٹریٹ اسٹریٹ لین روڈ کوچہ')}){_UR_NO}\d+"
    ),
    "sector": re.compile(
        r"(?<!\w)[a-i]\s?-?\s?\d{1,2}\s?/\s?\d(?!\d)|"
        r"(?<!\w)(?:sector|sec|phase|fase|block|blk)\s?[#:\-]?\s?(?:[a-i]\s?-?\s?)?\d{1,2}(?!\d)|"
        rf"(?<!\w)(?:{_u('سیکٹر بلاک فیز')})\s*\S+|"
        rf"(?<!\w)(?:{_u('ای ایف جی ایچ آئی')})\s+"
        rf"(?:{_u('ٹو تھری فور فائیو سکس سیون ایٹ نائن ٹین الیون ٹویلو')})"
    ),
    "area": re.compile(
        r"(?<!\w)(?:mohalla|muhalla|mohallah|mohala|muhallah)\s+\w+|"
        r"(?<!\w)\w+\s+(?:colony|town|society|scheme|housing|enclave|villas|cantt|plaza|tower|"
        r"towers|heights|residency|apartments|arcade)(?!\w)|"
        r"(?<!\w)(?:dha|bahria|gulberg|gulshan|johar|clifton|askari|nazimabad|korangi|"
        r"satellite|defence|wapda)(?!\w)|"
        rf"(?<!\w)(?:{_u('محلہ محلے')})\s+\S+|(?<!\S)\S+\s+(?:{_u('کالونی ٹاؤن سوسائٹی')})|"
        rf"(?:{_u('گلبرگ گلشن بحریہ سیٹلائٹ جوہر کلفٹن')})|"
        + re.escape(normalize("ڈی ایچ اے").text)
    ),
    # A village is a home address: "chak no 112 jb", "mouza X", "گاؤں ڈھوک مستری"
    "village": re.compile(
        rf"(?<!\w)(?:chak|chak no\.?|chak number)\s*\d+|(?<!\w)(?:{_VILLAGE})\s+\w+|"
        rf"(?<!\w)(?:{_u(_VILLAGE_UR)})\s+\S+|"
        + re.escape(normalize("چک").text) + r"\s*(?:" + re.escape(normalize("نمبر").text) + r")?\s*\d+"
    ),
    "district": re.compile(
        r"(?<!\w)(?:tehsil|tahsil|tehseel|zila|zilla|district|distt)\s+\w+|"
        rf"(?<!\w)(?:{_u('تحصیل ضلع')})\s+\S+"
    ),
    # A hostel room: "girls hostel no 2 ... room 45", "ہاسٹل نمبر ۲ ... کمرہ ۴۵"
    "room": re.compile(
        r"(?<!\w)(?:room|kamra)\s*(?:no\.?|number|#)?\s*\d+|" + re.escape(normalize("کمرہ").text)
        + _UR_NO + r"\d+"
    ),
    "hostel": re.compile(r"(?<!\w)hostel(?!\w)|" + re.escape(normalize("ہاسٹل").text)),
    # A landmark beside her door: "masjid ke peeche teesri gali", "بڑی مسجد کے پیچھے تیسری گلی"
    "landmark": re.compile(
        r"(?<!\w)(?:masjid|mosque|mandir|church|darbar)\s+(?:ke|k|wali|\w+)?\s*(?:peeche|piche|samne|saamne|"
        r"sath|saath|paas|pas|wali gali|gali)(?!\w)|(?:near|behind|opposite|by|next to|beside) the "
        r"(?:masjid|mosque)|"
        + re.escape(normalize("مسجد کے").text) + r"\s+(?:" + _u("پیچھے سامنے ساتھ پاس") + ")"
    ),
    "floor": re.compile(r"(?<!\w)\d{1,2}(?:st|nd|rd|th)?\s+floor(?!\w)|(?<!\w)floor\s*(?:no\.?\s*)?\d"),
    "residence": re.compile(
        r"(?<!\w)(?:she|he|ye|yeh|wo|woh|iska|iski|uska|uski|her|his|inka|unka)\s+(?:\w+\s+){0,2}?"
        r"(?:lives|stays|rehti|rehta|rehte|ghar|house|home|address|pata)(?!\w)|"
        r"(?<!\w)(?:address|addr|pata)\s*(?:is|hai|:)|(?<!\w)(?:rehti|rehta) (?:hai|hain|he)(?!\w)|"
        + "|".join(
            re.escape(normalize(p).text)
            for p in ("رہتی ہے", "رہتا ہے", "کا گھر", "کا پتہ", "ایڈریس", "رہتی ہیں")
        )
    ),
}
_ADDRESS_KEYS = tuple(
    "house makan makaan mkan plot flat apartment apt bungalow kothi h# h. h ".split(" ")[:-1]
) + tuple(
    "street st lane gali galli gly road rd avenue ave khayaban kucha sector sec phase fase block "
    "blk mohall muhall colony town society scheme housing enclave villas cantt dha bahria gulberg "
    "floor plaza tower heights residency apartments arcade room kamra hostel masjid mosque "
    "gulshan johar clifton askari nazimabad korangi satellite defence wapda / chak mouza mauza moza "
    "goth gaon gaaon dhok village tehsil tahsil tehseel zila zilla district distt".split()
) + tuple(
    normalize(w).text
    for w in "مکان پلاٹ فلیٹ بنگلہ کوٹھی گلی سٹریٹ لین روڈ کوچہ سیکٹر بلاک فیز محلہ کالونی ٹاؤن "
    "سوسائٹی گلبرگ گلشن بحریہ سیٹلائٹ جوہر کلفٹن ایچ گاؤں گاوں ڈھوک موضع گوٹھ چک تحصیل ضلع کمرہ ہاسٹل "
    "مسجد".split()
)
_MOHALLA_UR = normalize("محل").text


# An area and its sector or phase name a neighbourhood; a home needs a house, a street, a floor
# or the words that say someone lives there.
_PLACE_ONLY = frozenset({"sector", "area", "district", "hostel", "landmark"})
# Village words, which a digit-free address may hold ("گاؤں ڈھوک مستری، تحصیل گوجر خان").
_VILLAGE_GATE = tuple(_VILLAGE.split("|")) + tuple(normalize(w).text for w in _VILLAGE_UR.split())
# A public place's address: "our workshop is at the community hall, street 3, G-9/1", "ہماری
# تنظیم کا دفتر مکان نمبر ۱۲" (an office, an event), unless it is said to be hers.
_VENUE = re.compile(
    r"(?<!\w)(?:hall|workshop|seminar|event|ngo|clinic|office|daftar|tanzeem|organi[sz]ation|free entry|"
    r"helpdesk|help desk|registration)(?!\w)|" + _u("دفتر تنظیم ورکشاپ ہال سیمینار مفت")
)
_HERS = re.compile(
    r"(?<!\w)(?:she|her|shes|iski|uski|iska|uska|iske|uske|is ki|us ki|is ka|us ka|is ke|us ke|rehti|"
    r"ghar|home|lives|stays|beti|daughter|wife|biwi)(?!\w)|"
    + "|".join(re.escape(normalize(p).text) for p in ("اس کی", "اس کا", "اس کے", "رہتی", "گھر", "بیٹی"))
)


def _address(text: str) -> str | None:
    if not any(k in text for k in _ADDRESS_KEYS):
        return None
    found: dict[str, re.Match[str]] = {}
    for kind, pattern in _ADDRESS_PARTS.items():
        m = pattern.search(text)
        if m is not None:
            found[kind] = m
    if found.keys() == {"village"} and _HERS.search(text) is not None:
        return text[found["village"].start() :][:200]  # "mariam's village is chak 45 GB, her father ..."
    if "room" in found and "hostel" not in found:
        del found["room"]  # "the library is on the 2nd floor, room 14": a room of a building
    if len(found) < 2 or found.keys() <= _PLACE_ONLY:
        return None  # "we visited DHA phase 6", "Gulshan block 13 market": a place, not her home
    if "residence" not in found and not _HERS.search(text) and (
        _VENUE.search(text) or found.keys() <= _PLACE_ONLY | {"village"}
    ):
        return None  # a workshop's hall, an organisation's office; "apne gaon ja rahi hun"
    start = min(m.start() for m in found.values())
    end = max(m.end() for m in found.values())
    return text[start:end][:200]


# --- a name with her school, college or workplace ----------------------------------------------------
# "Sana, the one in BS second semester at X university", "yeh Hina hai, GCU mein parhti hai",
# "یہ ثنا ہے، پنجاب یونیورسٹی میں پڑھتی ہے": a name, a place she can be found, and a pointer
# (everyone, find her, this is ...). Congratulations and a sister's news have no pointer.
_PLACE = re.compile(
    r"(?<!\w)(?:universit(?:y|ies)|uni|college|school|institute|academy|campus|hostel|semester|"
    r"(?:1st|2nd|3rd|4th|final) (?:yr|year)|"
    r"bs|bba|mba|mbbs|bsc|msc|fsc|matric|works?(?: \w+){0,3} at|working(?: \w+){0,3} at|job at|"
    r"teaches at|studies at|"
    r"office|bank|hospital|branch|parhti|padhti|parhati|padhati|kaam karti|job karti|gym|salon|"
    r"parlou?r|clinic|call cent(?:er|re)|bus stop|store|dukaan|shop|mill|factory)(?!\w)|"
    r"(?<!\w)(?:at|from|in) [A-Z]{2,6}(?!\w)|(?<!\w)[A-Z]{2,6} (?:mein|me|main|karachi|lahore|"
    r"islamabad|rawalpindi|peshawar|multan|wah|campus)(?!\w)|"
    + "|".join(re.escape(normalize(w).text) for w in (
        "یونیورسٹی", "کالج", "سکول", "اسکول", "پڑھتی", "پڑھاتی", "کام کرتی", "بینک", "دفتر",
        "ہسپتال", "سمسٹر", "ہاسٹل"))
)
# Places that are businesses first: a woman is found there only when the text speaks of her.
_BUSINESS = frozenset("gym salon parlour parlor clinic store dukaan shop mill factory bus stop".split()) | {
    "call center", "call centre", "bus stop"}
# Pointers, read over the words (a loop over a short list is cheaper than one long alternation).
_CROWD = frozenset("everyone every1 everybody sab".split())
_CROWD_VERBS = frozenset(
    "go message msg call find dm tell spam send should karo isko usko log ko".split()
)
_AT_HER = frozenset("find message msg dm call tell spread".split())
_GO_VERBS = frozenset("see tell find message meet".split())
_ALONE_POINTERS = frozenset("isko isay usko dhoondo dhundo".split()) | frozenset(
    normalize(w).text for w in ("سب", "اسے", "ڈھونڈو")
)
_THIS_WORDS = frozenset("yeh ye yh".split())
_UR_IS = normalize("ہے").text
_UR_THAT = normalize("اس").text
_UR_GIRL_WORDS = frozenset(normalize(w).text for w in ("کو", "لڑکی"))


_TRIGGERS = (
    _ALONE_POINTERS | _CROWD | _AT_HER | _THIS_WORDS
    | frozenset(("go", "one", "girl", "this", "larki", _UR_THAT, normalize("یہ").text))
)


def _points(words: list[str], i: int) -> bool:
    """Whether the word at ``i`` begins a pointer at her."""
    w, n = words[i], len(words)
    nxt = words[i + 1] if i + 1 < n else ""
    third = words[i + 2] if i + 2 < n else ""
    prev = words[i - 1] if i else ""
    return (
        w in _ALONE_POINTERS
        or (w in _CROWD and nxt in _CROWD_VERBS)
        or (w in _AT_HER and nxt in ("her", "it", "this"))
        or (w == "go" and (nxt in _GO_VERBS or (nxt == "and" and third in _GO_VERBS)))
        or (w in ("one", "girl") and prev in ("the", "that") and nxt in ("in", "at", "from", "who"))
        or (w == "girl" and (nxt == "who" or (i >= 2 and words[i - 2] == "that")))
        or (w == "this" and nxt == "is" and third == "her")
        or (w == "larki" and prev in ("is", "ye", "yeh", "wali"))
        or (w in _THIS_WORDS and third == "hai")
        or (w == _UR_THAT and nxt in _UR_GIRL_WORDS)
        or (w == _UR_THIS and third == _UR_IS)
    )


def _pointer(words: list[str]) -> int | None:
    """The index of the word that points at her ("everyone go", "find her", "yeh X hai"), or None."""
    if _TRIGGERS.isdisjoint(words):
        return None
    for i, w in enumerate(words):
        if w in _TRIGGERS and _points(words, i):
            return i
    return None


_NAME = re.compile(r"(?<![\w'])[A-Z][a-z]{2,}(?![\w'])")
_NOT_NAMES = frozenset(
    "the she her his this that these those they there then what when where who why how happy dear "
    "congratulations congrats proud thanks thank hello hey and but our your my its everyone "
    "university college school institute academy bank hospital branch semester year second third "
    "first fourth final karachi lahore islamabad rawalpindi peshawar quetta multan faisalabad "
    "punjab sindh pakistan blue area town allied habib government call find message go tell "
    "please mashallah inshallah ammi abbu news police court".split()
)
_UR_NOT_NAMES = frozenset(normalize(w).text for w in (
    "میری میرا میرے ہماری ہمارا ہمارے تمہاری وہ یہ بہت بھی ایک کون کیا"))
_UR_THIS = normalize("یہ").text
_NAME_REACH = 4000


# Words one of which any place and any pointer needs: two set checks before any regex runs.
_PLACE_WORDS = frozenset(
    "university universities uni college school institute academy campus hostel semester bs bba "
    "mba mbbs bsc msc fsc matric works work working job teaches studies office bank hospital branch "
    "parhti padhti parhati padhati kaam gym salon parlour parlor clinic center centre stop store dukaan "
    "shop mill factory yr library".split()
) | frozenset(normalize(w).text for w in (
    "یونیورسٹی کالج سکول اسکول پڑھتی پڑھاتی کام بینک دفتر ہسپتال سمسٹر ہاسٹل".split()))
_WORD = re.compile(r"[^\W_]+")
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
# ASCII letters and digits kept, everything else a space (the fast word splitter)
_ASCII_WORDS = bytes(c if (48 <= c <= 57 or 97 <= c <= 122) else 32 for c in range(256))


# When she is there: a routine or a shift told beside her name and place is where and when to
# find her ("roz 8 bje aati hai", "on night shift"), as much a pointer as "everyone go".
_SCHEDULE = re.compile(
    r"(?<!\w)(?:roz|rozana|daily|har roz|every (?:day|morning|evening|night)|(?:night|day|morning|"
    r"evening) shift|shift (?:ends|starts|khatam)|chhutti|chutti|\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|bje|"
    r"baje|bajay|bajey)|(?:at|around|by|till|until|after) \d{1,2}(?:[:.]\d{2})?|\d{1,2}:\d{2})(?!\w)|"
    + "|".join(re.escape(normalize(w).text) for w in ("روز", "روزانہ", "بجے", "شفٹ", "چھٹی"))
)


# Where inside it she can be found: a hostel room, a counter, a floor, a desk, the library, the
# block she lives in ("stays in the girls hostel M4", "cash counter pe hoti hai").
_WHEREABOUTS_UR = tuple(normalize(w).text for w in ("ہاسٹل", "کمرہ", "منزل", "کھڑکی", "کاؤنٹر", "ریسیپشن"))
_WHEREABOUTS = re.compile(
    r"(?<!\w)(?:hostel|room (?:no\.? ?)?\d+|counter|floor|library|reception|desk|window|lives (?:in|near)|"
    r"stays in|sits (?:in|at)|roll no|block \w+)(?!\w)|"
    + "|".join(re.escape(w) for w in _WHEREABOUTS_UR)
)
_WHEREABOUTS_WORDS = frozenset(
    "hostel room counter floor library reception desk window lives stays sits roll block".split()
) | frozenset(_WHEREABOUTS_UR)
# A name given as one ("iska naam sana hai", "name's Alina", "اس کا نام عائشہ ہے").
_NAMED_AS = re.compile(
    r"(?<!\w)(?:naam|name is|name's|names|named)\s+\w+|" + re.escape(normalize("نام").text) + r"\s+\S+"
)
# Professionals members recommend by name and place ("Dr Ayesha at Civil hospital, room 12").
_RECOMMENDED = frozenset("dr doctor advocate lawyer counsellor counselor therapist".split())
_FIRST_PERSON = frozenset("i im ive ill my me mera meri mujhe".split())
# The writer or her own family, without "me" (Roman Urdu "in": "model town me hai").
_SPEAKER = (_FIRST_PERSON - {"me"}) | frozenset("we our us hum hamari hamara".split())
_OWN = _SPEAKER | frozenset("ammi abbu".split())
# Someone's comings and goings in the third person ("leaves at 1:30"), unless a bus, a class
# or an office is what leaves.
_ROUTINE_VERBS = frozenset("leaves comes goes takes walks reaches waits sits stays".split())
_THINGS = frozenset("bus van train class office school college shift flight lecture it".split())
# She, in the third person: "she", "iski", and the feminine present ("aati hai", "پڑھتی ہے").
_HER = frozenset("she shes her iski uski isko usko".split()) | frozenset(
    normalize(w).text for w in ("اکیلی", "کھڑی"))
_UR_TI = normalize("تی").text


def _her(words: list[str], *, routine: bool = True) -> bool:
    """Whether the words speak of a woman (or, with ``routine``, anyone's comings and goings) in
    the third person."""
    if not _HER.isdisjoint(words):
        return True
    if routine and any(
        w in _ROUTINE_VERBS and (i == 0 or words[i - 1] not in _THINGS) for i, w in enumerate(words)
    ):
        return True
    return any(
        (w.endswith("ti") or w.endswith(_UR_TI)) and nxt in ("hai", "he", _UR_IS)
        for w, nxt in zip(words, words[1:], strict=False)
    )
# Words one of which a routine without a time of day needs (a cheap check before `_SCHEDULE`).
_SCHEDULE_WORDS = frozenset("roz rozana daily har every shift chhutti chutti".split()) | frozenset(
    normalize(w).text for w in ("روز", "روزانہ", "بجے", "شفٹ", "چھٹی"))


def _words_of(folded: str) -> list[str]:
    """The words of a folded text (ASCII text through a byte table, the fast way)."""
    return folded.encode().translate(_ASCII_WORDS).decode().split() if folded.isascii() else (
        _WORD.findall(folded))


def _name_and_place(text: str, folded: str, words: list[str] | None = None) -> str | None:
    """A named woman pointed at together with where she studies or works (or with when she is
    there), or None."""
    words = _words_of(folded) if words is None else words
    if _PLACE_WORDS.isdisjoint(words) and _ACRONYM.search(text) is None:
        return None
    pointer = _pointer(words)
    own = not _OWN.isdisjoint(words)  # the writer's own routine or her family's
    if pointer is None:
        if own or not _RECOMMENDED.isdisjoint(words) or (
            _SCHEDULE_WORDS.isdisjoint(words) and _WHEREABOUTS_WORDS.isdisjoint(words)
            and _DIGIT.search(folded) is None
        ):
            return None  # the writer's own routine ("I will come at 9am"), or no routine
        when = _SCHEDULE.search(folded) or _WHEREABOUTS.search(folded)
        if when is None:
            return None
        pointer = len(_WORD.findall(folded[: when.start()]))
    place = _PLACE.search(text) or _PLACE.search(folded)
    if place is None:
        return None
    if place.group().lower() in _BUSINESS and not _her(words, routine=False):
        return None  # "the clinic is at 14-C, Main Gulberg, open 5 to 9pm": a shop, not a woman
    named = any(m.group().lower() not in _NOT_NAMES for m in _NAME.finditer(text)) or (
        _NAMED_AS.search(folded) is not None)
    if not named and not folded.isascii():
        # Urdu script has no capitals: "یہ ثنا ہے" names her
        named = any(
            w == _UR_THIS and i + 2 < len(words) and words[i + 1] not in _UR_NOT_NAMES
            for i, w in enumerate(words)
        )
    if not named:
        # No name she can be called by, but where and when she is, said of her: "she teaches
        # at X, comes out around 3", "روز ڈیڑھ بجے چھٹی ہوتی ہے اور اکیلی کھڑی ہوتی ہے".
        when = _SCHEDULE.search(folded) or _WHEREABOUTS.search(folded)
        if when is None or own or not _her(words):
            return None
        pointer = len(_WORD.findall(folded[: when.start()]))
    return " ".join(words[max(0, pointer - 12) : pointer + 12])[:200]


# Her family's shop or office, and where it is: "her dad has a mobile shop on hall road, shop no
# 23", "اس کے والد کی دکان صدر بازار میں ہے": where to find her people, and through them her.
_FAMILY_PLACE = re.compile(
    r"(?<!\w)(?:her|iske|uske|is ke|us ke|iski|uski|is ki|us ki|\w+'s) (?:dad|father|abbu|abba|abu|baap|"
    r"walid|brother|bhai|husband|shohar|ammi|mother|mom|amma|family|behen|sister)(?:'s| ki| ka)? "
    r"(?:\w+ ){0,4}?(?:shop|store|business|dukaan|dukan|clinic|office|karkhana|parlou?r|salon|house|"
    r"bakery|boutique|sweets|bakers|zone|mart|traders)(?!\w)|"
    r"(?<!\w)(?:her|uska|uski|iska|iski|is ka|us ka) (?:\w+ ){0,2}?(?:office|workplace|clinic|shop|salon|"
    r"parlou?r|boutique|bakery|stall|brand) (?:ye |yeh )?(?:is|hai|in|at)(?!\w)|"
    r"(?<!\w)\w+ (?:ki|ka) (?:dukaan|dukan|shop|parlou?r|salon|boutique|bakery) (?:hai )?(?:\w+ ){0,3}?"
    r"(?:mein|me|main|pe|par|in)(?!\w)|"
    + "|".join(re.escape(normalize(p).text) for p in ("اس کے والد", "اس کے ابو", "اس کے ابا", "اس کے بھائی",
                                                       "اس کے شوہر"))
    + r"\s+(?:\S+\s+){0,3}?" + _u("دکان دفتر")
    + r"|(?<!\S)\S+\s+(?:" + _u("کا کی") + r")\s+(?:" + _u("بوتیک دکان سیلون بیکری پارلر") + ")"
)
_LOCATED = re.compile(
    r"(?<!\w)(?:road|rd|bazar|bazaar|market|mandi|plaza|chowk|shop no|no \d+|anarkali|saddar|"
    r"sadar|liberty|phase \d+|town|boulevard|centre|center|counter|mohalla|masjid|floor)(?!\w)|"
    + _u("بازار روڈ مارکیٹ چوک محلہ مسجد منزل انارکلی صدر")
)


# Words one of which a family's or her own business needs (a set check before the pattern).
_BUSINESS_WORDS = frozenset(
    "shop store business dukaan dukan clinic office karkhana parlour parlor salon house bakery boutique "
    "sweets bakers workplace stall brand zone mart traders".split()
) | frozenset(normalize(w).text for w in "بوتیک دکان سیلون بیکری پارلر دفتر".split())


# Whose it is: her, her family ("her", "iske abbu", "Sadia's family"), or a name with "ki"/"کا"
# right before the business ("Sana ki dukaan"): set checks before the pattern.
_RELATIVES = frozenset(
    "her iske uske iski uski uska iska dad father abbu abba abu baap walid brother bhai husband shohar "
    "ammi mother mom amma family behen sister".split()
) | frozenset(normalize(w).text for w in "والد ابو ابا بھائی شوہر".split())
_OF = frozenset(("ki", "ka", *(normalize(w).text for w in ("کا", "کی"))))


def _family_place(folded: str, words: list[str]) -> str | None:
    if _BUSINESS_WORDS.isdisjoint(words) or not (
        not _RELATIVES.isdisjoint(words) or "'s " in folded
        or any(w in _OF and nxt in _BUSINESS_WORDS for w, nxt in zip(words, words[1:], strict=False))
    ):
        return None
    if not _SPEAKER.isdisjoint(words):
        return None  # her own family's shop, or ours
    for business in _BUSINESS_WORDS.intersection(words):
        # the pattern reads only around each business word (80 characters before, "is", "hai",
        # "mein" after: it spans less)
        at = folded.find(business)
        m = _FAMILY_PLACE.search(folded, max(0, at - 80), at + len(business) + 12)
        if m is not None and _LOCATED.search(folded) is not None:
            return folded[max(0, m.start() - 40) : m.end() + 80]
    return None


_AT_HINTS = (" at ", "(at)", "[at]", "{at}", "<at>", "@")
_PROVIDERS = ("gmail", "yahoo", "hotmail", "outlook", "icloud")
_DOT_HINTS = ("dot", ".co", ".]", ".)", ".}", ".pk", ".net", ".org", ".edu", ".io", ".me")


def _maybe_spelled_email(folded: str) -> bool:
    """Cheap substring checks before the spelled-out e-mail pattern runs."""
    if _AT_UR in folded or _AT_UR_SHORT in folded or "@" in folded:
        return True
    return any(h in folded for h in _AT_HINTS) and any(h in folded for h in _DOT_HINTS + _PROVIDERS)


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    return text.translate(fold_char_table()).lower()


def _reason(kind: str, excerpt: str) -> Reason:
    return Reason(f"personal_info:{kind}", "hold", "personal_info", _SOURCE, excerpt)


def _emails(folded: str) -> list[Reason]:
    """E-mail addresses, written plainly or spelled out ("name at gmail dot com", in Urdu too)."""
    found = [_reason("email", m.group()) for m in _EMAIL.finditer(folded)] if "@" in folded else []
    if not found and _maybe_spelled_email(folded):
        spelled = folded
        if not folded.isascii():
            for ur, latin in _UR_EMAIL_WORDS:
                if ur in spelled:
                    spelled = spelled.replace(ur, latin)
        m = _EMAIL_SPELLED.search(spelled) or _EMAIL_PROVIDER.search(spelled)
        if m is not None:
            found.append(_reason("email", m.group()))
    return found


# The letter o typed for a zero inside a number ("03o1-77 23 458").
_O_ZERO = re.compile(r"(?<![a-z0-9])[o0-9]+(?![a-z0-9])")  # linear: one greedy run per token
# An account unmasked: a handle or a platform beside "real name", "asal naam", "is actually".
_ACCOUNT = re.compile(
    r"@[\w.]{3,}|(?<!\w)(?:insta|instagram|tiktok|twitter|snapchat|snap|fb|facebook|linkedin|alt|"
    r"account|id)(?!\w)|" + _u("انسٹاگرام انسٹا ٹک ٹاک فیس بک اکاؤنٹ")
)
_UNMASKED = re.compile(
    r"(?<!\w)(?:real name|real naam|asal naam|asli naam|actual name|is actually|belongs to|asal main|"
    r"asli account|asal account|real account|"
    r"asal mein|asli main|and she is|and shes|she is actually|full name)(?!\w)|"
    + "|".join(re.escape(normalize(p).text) for p in ("اصل نام", "اصل میں", "دراصل"))
)
# A car's plate with the car ("LEA-5309, silver corolla", "گاڑی کا نمبر ... 6120").
_PLATE = re.compile(
    r"(?<![\w-])[a-z]{3}(?:[- ][a-z]{1,3})?[- ]?(?:\d{3,4}|\d{2}[- ]\d{2,4})(?!\d)"
)
_UR_PLATE = re.compile(re.escape(normalize("گاڑی کا نمبر").text) + r".{0,30}?\d{3,4}")


# Words one of which an unmasking needs, and one of which a car needs (set checks first).
_UNMASK_WORDS = frozenset("real asal asli actual actually belongs full shes she".split()) | {
    normalize("اصل").text, normalize("دراصل").text}
_CAR_WORDS = frozenset(
    "gaari gaadi gari gadi car plate vehicle alto corolla civic suzuki mehran cultus city bike".split()
) | {normalize("گاڑی").text}


def _unmasked_or_plate(folded: str, words: list[str]) -> str | None:
    """An account tied to a real name, or a car's plate: who she is, or where her car stands."""
    if not _SPEAKER.isdisjoint(words):
        return None  # "my fb is linked to my real name, should i change it?"
    if not _UNMASK_WORDS.isdisjoint(words):
        m = _UNMASKED.search(folded)
        if m is not None and _ACCOUNT.search(folded) is not None:
            return folded[max(0, m.start() - 60) : m.end() + 60]
    if not _CAR_WORDS.isdisjoint(words) and _DIGIT.search(folded) is not None:
        m = _PLATE.search(folded) or _UR_PLATE.search(folded)
        if m is not None:
            return folded[max(0, m.start() - 40) : m.end() + 60]
    return None


def detect_identifying(text: str) -> list[Reason]:
    """Phone (``personal_info:phone``), CNIC, e-mail and address reasons, all ``hold``.

    Why hold: on a harassment support forum a number or address is how doxxing starts, and a
    member posting her own number in distress deserves a moderator's look, not a refusal.
    """
    if not text:
        return []
    folded = _fold(text)
    reasons: list[Reason] = []
    has_digit = _DIGIT.search(folded) is not None
    if has_digit or any(w in folded for w in _SPELLED_HINTS):
        if _GLUED_HINT.search(folded) is not None:
            folded = _GLUED.sub(r"\1 ", folded)  # "oneone22" → "one one 22"
        if "o" in folded:
            folded = _O_ZERO.sub(
                lambda m: m.group().replace("o", "0") if _DIGIT.search(m.group()) else m.group(), folded)
        seen: set[tuple[str, str]] = set()
        # three occurrences, not three different names: "0333 teen teen do 4567"
        roman = sum(w in _ROMAN_DIGITS for w in folded.split()) >= _ROMAN_MIN
        for count, (kind, excerpt) in enumerate(_numbers(folded, roman), 1):
            if kind == "phone" and _public_line(folded, excerpt):
                continue
            if (kind, excerpt) not in seen:
                seen.add((kind, excerpt))
                reasons.append(_reason(kind, excerpt))
            if count >= MAX_NUMBERS:
                break
    reasons.extend(_emails(folded))
    address = _address(folded) if has_digit or "mohall" in folded or "muhall" in folded or (
        _MOHALLA_UR in folded or any(w in folded for w in _VILLAGE_GATE)
    ) else None
    if address is not None:
        reasons.append(_reason("address", address))
    elif not reasons:
        # a name pointed at sits in a short post; reading 4,000 characters bounds the cost
        head = folded[:_NAME_REACH]
        words = _words_of(head)
        identity = (_name_and_place(text[:_NAME_REACH], head, words) or _family_place(head, words)
                    or _unmasked_or_plate(head, words))
        if identity is not None:
            reasons.append(_reason("identity", identity))
    return reasons
