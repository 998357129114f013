"""Crisis language by risk: who is speaking, what she says she will do, with what, and when.

Why not a phrase list: a list of "I want to die" spellings finds about one crisis message in four
on real text, and it alerts on "we talked about suicide prevention". Crisis Text Line found that
words of means and method ("pills", "800mg", the pill emoji) predict an emergency better than the
word "suicide". So this module reads a message clause by clause and combines *cues* into a risk:

* **word classes** (``_CLASSES``: death, life, desire, intent, harm, body, means, act, quantity,
  hope...) meet inside a clause: death + desire is ideation ("I think about dying", "marne ko dil
  karta hai"), life + negation + desire is ideation ("I don't want to be alive", "mujhe nahi
  jeena"), harm + body or self is self-harm ("slit my wrist", "apne bazu pe kaata"), means + act +
  quantity or intent is a method ("gonna take them all", "zehr pee lungi"), hope + negation is
  hopelessness ("koi umeed nahi");
* **phrases** (``_PHRASES``) for what word classes cannot say: reflexives ("kill myself", "khud
  ko khatam kar dun", "خود کو مار ڈالوں"), goodbyes ("tell my sister I loved her"), burden
  ("sab ko mujh se chutkara mil jayega"), presence at a height or water ("i'm on the roof",
  "nehar pe aa gayi hun"), times and plans ("tonight", "after everyone sleeps", "aaj raat"), and
  the context that cancels a cue (an idiom, talk *about* a topic, recovery, "see you");
* **who**: each cue's subject is the person marker nearest before it in its clause ("my friend
  said *she* wants to die"), the cue's own words ("*myself*", "kar *lungi*") or the auxiliary after
  it ("marna chahti *hun*" / "*hai*"). Cues about someone else, and negated cues ("I would
  *never* kill myself"), still offer help, at ``moderate``; advice to "you" or "anyone" and support
  talk (a workshop, a helpline, the news, a song) raise nothing unless she speaks of herself.

Levels: a method about herself, a means or a presence together with distress, or ideation with a
time or a plan, is ``imminent``; ideation and self-harm are ``high``; goodbyes, burden and
hopelessness are ``moderate``.

Text arrives as the pipeline's ``Normalized`` (case, confusables, Urdu letter variants folded).
Phrases match on the Roman Urdu phonetic key (``rules.roman_key``: "zehr", "zeher" and "zehar"
meet) and are written in plain spelling, keyed the same way when the module loads; ``{a|b}`` are
alternatives (an empty one drops the slot), ``~`` a gap of up to two words, ``#`` a number of five
or more. Word classes match a lighter key (letters squeezed, no phonetic rewrites), because the
phonetic key merges words that must stay apart ("khud"/"kood", "kha"/"ka"). Pure: no I/O, no state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from moderation.domain.lexicon import expand
from moderation.domain.normalize import Normalized, normalize
from moderation.domain.rules import RuleSpec, roman_key
from moderation.domain.verdict import CRISIS, Reason

__all__ = [
    "ANCHOR_ID",
    "HIGH",
    "IMMINENT",
    "MODERATE",
    "REASON_CODE",
    "RISKS",
    "CrisisFinding",
    "anchor_rules",
    "assess",
    "crisis_reason",
    "risk_of",
    "symbol_cue",
]

IMMINENT = "imminent"
HIGH = "high"
MODERATE = "moderate"
#: Risk levels, most urgent first (the review queue's order).
RISKS = (IMMINENT, HIGH, MODERATE)
#: The reason code the screener, the queue and the API already know.
REASON_CODE = "crisis:self_harm"

# --- phrases (Roman Urdu key) ----------------------------------------------------------------
# One pattern a line; English, then Roman Urdu, then Urdu script.

_PHRASES: dict[str, dict[str, str]] = {
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
            it {ends|will end} {tonight|today|now|soon}
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
            {and|to} never wake up
            {want|wanna} it {all|} to end
            disappear {for good|forever}
            {not|never} exist
            {do|doing} {something|anything} stupid
            never wake up again
            {thinking|think|thought} {about|of} ending it
            {thinking|think|thought} {about|of} {ending|taking} my life
            wish i {was|were|had} never {been born|born}
            {an|some} accident {would|could} {take me|end it|happen to me}
        """,
        "roman_ur": """
            {marna|mrna|mar jana|mar jaana|mrjana|marjana} {chahti|chahta|chahtee|chati|hai}
            {marna|mrna} hai
            {marna|mrna|mar jana|mar jaana} hi hai
            {kash|kaash|dil karta hai|dil krta hai|dil chahta hai} ~ mar {jaun|jaon|jaaun|jau}
            mar {jaun|jaon|jau} {to|tu} {acha|achha|behtar}
            {jeena|jina|zinda rehna|zinda rahna} nahi {chahti|chahta}
            zinda nahi {rehna|rahna}
            {jeena|jina} nahi hai
            {apni|apne} jaan ~ {le|lun|lungi|lelungi|de|dun|dungi|lena|legi|li}
            khud ko {maar|mar|khatam} {lun|lungi|dalun|dalungi|dun|dungi|karna}
            khud ko {maar|mar|khatam} kar {lun|lungi|dun|dungi|legi|degi|diya}
            {zindagi|zindgi} {khatam|khtm} {kar lun|kar dun|kar lungi|kar dungi|karna chahti|karna}
            {khudkushi|khud kushi|khudkhushi|khudkashi|khudkhashi|suicide} ~ {kar|karna|karun|karungi|karegi}
            {khudkushi|khud kushi|khudkhushi|khudkashi|khudkhashi|suicide} ~ {krna|krungi|kr|kar legi|kar li}
            {sab|sab kuch|sb} khatam kar {dungi|dun|lungi|lun}
            apne aap ko {maar|mar|khatam} {lun|lungi|dun|dungi|karna|kar lun|kar dun}
            khatam kar {dungi|lungi} sab {kuch|}
            {allah|khuda|rab|ab} ~ {bula|utha} {le|lo|lay|lain} {mujhe|muje|mujhay}
            {mujhe|muje|mujhay} {bula|utha} {le|lo|lay}
            {aankh|ankh|ankhen} {hi|} na {khule|khulay|khulein}
            {so|sou} {jaun|jaon|jaoon} aur {phir|} {kabhi|} na {uthun|uthoon|jagun}
            {paida|peda|paidaa} {hi|} na {hoti|hui|huyi}
            {marjaun|marjaon|mrjaun|mrjaon|mrjau|marjau} {to|tu|toh} {acha|achha|behtar|sahi}
            {accident|hadsa} ho {jaye|jae|jaaye|jay} ~ {khatam|mar}
        """,
        "ur": """
            {مرنا|مر جانا} {چاہتی|چاہتا|ہے}
            {کاش|دل کرتا ہے|دل چاہتا ہے} ~ مر {جاؤں|جاوں}
            {جینا|زندہ رہنا} نہیں {چاہتی|چاہتا|ہے}
            زندہ نہیں رہنا
            اپنی جان ~ {لے|لوں|دے|دوں|لینا}
            {خود|اپنے آپ} کو {مار لوں|مار لوں گی|مار ڈالوں|ختم کر لوں|ختم کر دوں|ختم کر لوں گی|ختم کرنا}
            {خود|اپنے آپ} کو {مار دے|مار دوں|مار ڈالے|مار لے|ختم کر لے|ختم کر دے}
            زندگی ختم کر {لوں|دوں|لوں گی|دوں گی}
            زندگی ختم کرنا
            {خودکشی|خود کشی} ~ {کر|کرنا|کروں|کروں گی}
            {اللہ|خدا|رب} ~ اٹھا {لے|لو}
            مجھے {اٹھا|بلا} {لے|لو}
            آنکھ {ہی|} نہ کھلے
            پیدا {ہی|} نہ {ہوتی|ہوئی}
        """,
    },
    "self_harm": {
        "en": """
            {hurt|hurting|cut|cutting|harm|harming|burn|burning|burned|burnt} myself
            {scratch|scratching|hit|hitting|punish|punishing|starve|starving} myself
            {cuts|cut|cutting|hurts|hurting|harms|harming|burns|burning} herself
            {relapsed|relapse|relapsing} {into|on|} {self harm|selfharm|sh|cutting}
            {cutting|cut} again
            {bang|banging|hit|hitting|smash|smashing} my head
            {until|till|til} it bleeds
            {pull|pulled|pulling|pulls} {out|} {so much|my|all my} hair
            {as|for} {a|} {punishment|self punishment}
            {don't|dont|do not} deserve {food|to eat|to be fed}
            {relapsed|broke my streak|lost my streak} ~ {days|weeks|months} clean
            {days|weeks|months} clean and i
            {wanted|want|needed|need} to feel something
            {pressed|held|put|pushed} {a|the} {hot|heated|burning|red hot} ~ {on|to|against|into} my
        """,
        "roman_ur": """
            khud ko {nuksan|nuqsan|nuqsaan|nuksaan|takleef|zakhmi|chot} ~ {pohancha|pohanchati|pahuncha}
            khud ko {nuksan|nuqsan|nuqsaan|takleef|zakhmi|chot} ~ {pohanchaungi|pohanchaun|pahunchaungi}
            khud ko {nuksan|nuqsan|nuqsaan|nuksaan|takleef|zakhmi|chot} ~ {de|deti|kar|karti|kr|kiya|kia}
            {cutting|cut} kar rahi
            apne aap ko {kaat|kaatti|kaata|zakhmi|maarti|nuqsan}
            {baal|bal} {kheenche|kheenchay|khenche|noche|nochay|nochti|nochte|kheenchti}
            jaan {boojh|bujh|booj} {k|ke|kar|kr} ~ {khana|nahi|nai|chot|zakhmi|kaat|jala}
            {saza|sazaa} {hai|he} {meri|mere}
            {kalai|kalaiyon|bazu|taang|taangon} {pe|par|pr} {chala|chalaya|chalai|jala|jalaya|rakha|daba}
            {haath|hath} {pe|par|pr} {chala|chalaya|chalai|jala|jalaya|rakha|daba}
            khoon {aa gaya|nikal aaya|nikal aya|behne|bahne} ~ {sukoon|relief|acha}
            {nishaan|nishan|zakhm|zakham|nishan} ~ ~ khud {banaye|banae|kiye|lagaye}
        """,
        "ur": """
            خود کو {نقصان|زخمی|تکلیف} ~ {پہنچا|پہنچاتی|کرتی|کر|دیتی|کیا}
            اپنے آپ کو {کاٹتی|کاٹا|کاٹ|زخمی|مارتی|نقصان}
            بال {نوچ|نوچے|کھینچے}
            جان بوجھ کر ~ {کھانا|نہیں|زخمی|کاٹ|جلا}
            {ہتھیلی|بازو|کلائی|ٹانگ|ہاتھ} پر {بجھائی|بجھایا|جلایا|رکھی|رکھا}
        """,
    },
    "topic": {
        "en": """
            {suicide|suicidal|selfharm|self harm|self-harm}
            {suicidal|dark} thoughts
        """,
        "roman_ur": """
            {khudkushi|khud kushi|khudkhushi|khudkashi|khudkhashi}
        """,
        "ur": """
            {خودکشی|خود کشی}
        """,
    },
    "method": {
        "en": """
            {swallow|swallowing} the whole bottle
            all my {pills|tablets|meds|antidepressants} at once
            {lethal|deadly|fatal} dose
            enough to {not wake up|die|never wake up}
            {hang|hanging} myself
            {jump|jumping|throw myself} {off|from} {the|a|this|my|} {roof|bridge|building}
            {jump|jumping|throw myself} {off|from} {the|a|this|my|} {balcony|terrace|window}
            {drank|drink|drinking|swallowed} {bleach|poison|acid|rat poison}
            {rope|noose} ~ {ready|neck|fan}
            i have the {pills|blade|rope|poison}
            {blade|pills|rope|poison} {is|are} ready
            {looking|staring|stare|look} at the {fan|rope|pills|bridge|roof|ledge}
            {easiest|quickest|best|painless} way to {die|kill myself|end it}
            walk into the {sea|river|canal|water}
            {tied|tie|tying} the {dupatta|rope|noose|scarf}
            set myself on fire
            {rope|noose|dupatta} is tied
            tied to the {fan|ceiling|ceiling fan}
            how {many|much} ~ ~ {kill|kills|would kill|to kill|to die|is fatal|is lethal|to not wake up}
            {fatal|lethal|deadly} {amount|quantity|number}
            bottle of {rat killer|rat poison|poison|bleach|phenyl|pesticide|sleeping pills}
            {pills|tablets|meds} are {counted|ready|lined up}
            {knot|noose|rope} {on|from|around} the {fan|ceiling|beam}
            {turned|turn|left} {on|open} the gas
        """,
        "roman_ur": """
            {pankhe|pankha|fan|chhat} ~ {se|pe|par} {latak|lattak|lutak|phanda}
            {rassi|rope} ~ {ready|gale}
            {train|gaari|gaadi|truck} ke {aage|neeche} {kood|aa|chhalang|lait}
            {pills|goliyan|tablets} ~ ready {hain|hai}
            {blade|chhuri|churi} le ke baithi
            {koodne|kudne|koodna} ka soch
            {zehr|zahr|zehar|zeher|poison|goliyan|pills|tezab} ~ {mangwa|mangwaya|mangwayi|rakha|rakhi}
            {zehr|zahr|zehar|zeher|zahar} kha {lun|lungi|leti|lu}
            {le|la} {aayi|ayi|aai} {hun|hoon|hu}
            dupatta {bandh|baandh} {liya|diya|li}
            aag {laga|lagaungi|lagaa}
            {bijli|current|electric} ~ {taar|tar|wire} ~ {pakar|pakad|pakdungi|chhu|chu}
            mitti ka tel
            {goliyan|golian|pills|tablets|dawai} ek {saath|sath} ~ {le|kha|khaa|li}
            {sari|saari|sab} {goliyan|golian|pills|tablets} ~ {le|kha|khaa} {li|lin|liya|lein}
            {nas|nass} {kaat|kat}
            {zehr|zahr|zehar|zeher|zahar|rassi|goliyan|golian|tezab|phanda} ~ mere {paas|pas} {hai|hain|he}
            mere {paas|pas} ~ {zehr|zahr|zehar|zeher|zahar|rassi|goliyan|golian|tezab|phanda}
            phanda {bana|banaa|tayyar|tayar|ready} {liya|lia|li|hai|kar}
            {cylinder|gas} khol {diya|di|dia|dii} {hai|he}
        """,
        "ur": """
            {پنکھے|پنکھا} سے {لٹک|پھندا}
            {رسی|دوپٹہ} ~ گلے
            لے آئی ہوں
            خود کو آگ
            آگ لگا {لوں|دوں}
            {نس|نسیں} {کاٹ|کاٹی|کاٹ لوں}
            میرے پاس ~ {زہر|رسی|گولیاں|تیزاب|پھندا}
            {زہر|رسی|گولیاں|تیزاب|پھندا} ~ میرے پاس
            پھندا {بنا|تیار}
            {سلنڈر|گیس} کھول {دیا|دی} ہے
        """,
    },
    # Being at a height or by water, said of herself.
    "presence": {
        "en": """
            {i'm|im|i am} {at|on|near} the {roof|rooftop|bridge|canal|ledge|edge|balcony|terrace}
            {standing|sitting} on the {roof|ledge|bridge|edge|railing}
            on the {train tracks|railway track|railway line|tracks}
            on my way to the {river|canal|sea|bridge|railway line|railway track|tracks|roof}
            {standing|sitting} {at|on} the edge
        """,
        "roman_ur": """
            {chhat|chat|pul|nehar|nahar|bridge|roof|balcony} {pe|par|pr} {hun|hoon|khadi|khari|baithi}
            {chhat|chat|pul|nehar|nahar|bridge|roof|balcony} {pe|par|pr} {aa gayi|aagayi}
            {chhat|pul|roof|nehar} ke {kinare|upar|kinaare} {baithi|khadi|hun}
            {railway line|railway track|track|patri|pataree} {pe|par|pr}
        """,
        "ur": """
            {چھت|پل|نہر} پر {ہوں|کھڑی|بیٹھی|آ گئی}
        """,
    },
    "means": {
        "en": """
            rat poison
            sleeping pills
            # {pills|tablets|sleeping pills|panadol|paracetamol|xanax|meds}
        """,
        "roman_ur": """
            {neend ki goli|neend ki goliyan|dawai ~ patti}
            {keeray maar|keere maar} {dawai|dawa}
            # {goliyan|golian|tablets|pills}
        """,
        "ur": """
            {نیند کی گولیاں|دوائی ~ پتی}
            چوہے مار
        """,
    },
    "time": {
        "en": """
            {tonight|tomorrow morning|tomorrow night|after class|this weekend}
            {after|before} fajr
            {tonight|today} is the {night|day}
            {my last|this is my last} {post|night|day|message}
        """,
        "roman_ur": """
            {aaj raat|aj raat|aaj rat|aj rat|kal subah|raat ko}
            fajr {se pehle|ke baad}
            {aakhri|akhri|last} {raat|din|baar|post}
            kal subah tak
        """,
        "ur": """
            {آج رات|کل صبح}
            {آخری|آخر} {رات|بار|دن}
            کل صبح تک
        """,
    },
    "now": {
        "en": """
            right now
            {more|few} minutes
        """,
        "roman_ur": """
            {abhi|isi waqt}
        """,
        "ur": """
            ابھی
        """,
    },
    # A plan, or the secrecy a plan needs.
    "plan": {
        "en": """
            {after|when|once} {everyone|everybody|they|all} ~ {sleeps|sleep|asleep|leaves|goes}
            before {anyone|everyone|they} ~ {wakes|wake}
            {i've|i have} decided
            {have|got|made} a plan
            {wrote|written|writing} {my|a|the|} {note|notes|letter|letters}
            i know what {i'm|im|i am} doing
            {nobody's|nobody is|no one is|no one's|noone is} home
            {don't|dont|do not|please don't} {call|tell} anyone
            {nobody|no one} will find me
            so {nobody|no one} {would|will|wouldn't} {ask|know|notice|suspect}
            train ka intezar
            waiting for {the house|everyone|everybody} to {be quiet|sleep|be asleep}
            everything is {ready|planned|arranged}
        """,
        "roman_ur": """
            {sab|sb|ghar wale|gharwale} ~ {so jayen|so jaen|soyen|sone|so jayenge} ~ {ke baad|to|tab}
            sone ke baad
            {faisla|faisala|faislah} kar {liya|lia|li}
            ghar {pe|par|mein} koi nahi
            kisi ko mat {batana|bataana|bulana}
        """,
        "ur": """
            {سب|گھر والے} ~ {سونے|سو جائیں} ~ {کے بعد|تو}
            فیصلہ کر {لیا|لی}
        """,
    },
    "goodbye": {
        "en": """
            {tell|telling} my {sister|sisters|mother|mom|mum|ammi|brother} ~ ~ {loved|love|sorry}
            {tell|telling} my {dad|father|family|friends|best friend|daughter|son} ~ ~ {loved|love|sorry}
            {take|please take} care of my {cat|mother|mom|sister|family|kids|ammi}
            goodbye {everyone|everybody|all|forever|world|guys}
            {sorry|forgive me} for everything
            if {anything|something} happens {to me|}
            thank you {all|everyone|} for {everything|being kind to me}
            look after my
            take care of {ammi|abbu|amma|my mother|my mom|my sister} for me
            {nice|good} knowing {you|u|y'all|everyone}
            tell everyone {i'm|im|i am} sorry
            sorry {ammi|abbu|ami|abu|mama|papa|mom|mum|dad}
            {won't|wont|will not|not} be coming back
            {the|my} {note|notes|letter|letters} {is|are} {on|in|under|written|ready|done}
            {letters|notes} are written
            if i {stop posting|stop replying|disappear|go quiet|go silent|vanish}
            if {you|u} {don't|dont|do not|never} hear from me
            {you|u} {girls|guys|all|people} meant {a lot|so much|the world|everything}
            {delete|deactivate|remove} my account {if|after|when|once}
            if i {don't|dont|do not|never} {reply|respond|come back|come online|log in|post} {again|for}
            remember me as
            {gave|giving|give} away {all|} {my|her}
            {giving|gave|give} {all|} {my|her} {stuff|things|clothes|books|jewellery|jewelry} away
            {wanted|want} {you all|y'all|you|everyone|u all} to know ~ before
            {won't|wont|will not|not going to} be {here|around} {much longer|for long|for much longer|anymore}
            {farewell|goodbye} {message|note|post|text|letter}
        """,
        "roman_ur": """
            {ammi|abbu|ami|abu|behen|bhai|sab|family} ka {khayal|khyal|khial} rakhna
            {meri|mere} {behen|ammi|ami|bhai|dost|beti|beta} ko {batana|bata dena|kehna} ~ ~ {pyar|pyaar}
            {meri|mere} {behen|ammi|ami|bhai|dost|beti|beta} ko {batana|bata dena|kehna} ~ ~ {maaf|sorry}
            {ammi|abbu|ami|abu|behen|bhai} ko {batana|kehna} ~ ~ {pyar|pyaar|maaf}
            {alvida|alwida|khuda hafiz} {sab|sab ko|everyone|dosto}
            {sab ko|sab} {alvida|alwida}
            {mujhe|mujhay} maaf kar {dena|do|dein|dijiye|dijye}
            chali {jaungi|jaun|jaoon} hamesha ke liye
            hamesha ke liye {chali|ja|ja rahi}
            maaf kar dena {ammi|abbu|sab}
            {maaf|maf} karna sab {ko|}
            wapas nahi {aaungi|aungi|jaungi}
            {aakhri|akhri} salaam
            meri taraf se {alvida|aakhri}
            {yahan|yaha|idhar|group mein} na {dikhun|dikhoon|aaun|aaon|aayun}
            nazar na {aaun|aaon|aayun}
            {online|reply|msg|message} na {aun|aaun|aaon|aayun|karun|karoon|karu|kru}
            account delete kar {dena|dein|dijiye|do}
            {mujhe|muje} yaad {rakhna|rakhiyega|rakhiye}
            hamesha yaad {rahogi|rahoge|rahengi|rahenge|raho gi|rahegi}
            {kapre|kapray|kapde|cheezein|cheezen|chizen} ~ {baant|bant|baat|de} {di|diye|dein|dii}
            {jewelry|zewar|kitaben|kitabein} ~ {baant|bant|baat|de} {di|diye|dein|dii}
            {alvidai|alwidai|alvida ka|alwida ka} {paigham|message|msg|note}
        """,
        "ur": """
            {امی|ابو|بہن|بھائی|سب} کا خیال رکھنا
            {امی|ابو|بہن|بھائی|بیٹی} کو {بتانا|کہنا} ~ ~ {پیار|معاف}
            سب کو {خدا حافظ|الوداع}
            {مجھے|} معاف کر {دینا|دیں}
            ہمیشہ کے لیے
            واپس نہیں {جاؤں|آؤں}
            {یہاں|} نظر نہ آؤں
            یہاں نہ {دکھوں|آؤں}
            {اکاؤنٹ|اکاونٹ} ڈیلیٹ کر {دینا|دیں}
            مجھے یاد رکھنا
            ہمیشہ یاد {رہو گی|رہیں گی|رہو گے}
            بانٹ {دی|دیں|دیے} ہے
            ڈھونڈنا مت
            الوداعی {پیغام|میسج|خط}
        """,
    },
    # An apology to everyone: a farewell only beside a means or distress ("pills le li, sorry
    # everyone"); alone it is everyday ("sorry everyone, I was late").
    "apology": {
        "en": """
            {sorry|so sorry|im sorry|i'm sorry} {everyone|everybody|all|guys|ammi|abbu|mom|mum|dad}
        """,
        "roman_ur": """
            {sab|sab ko|sabko|sab se|sabse} sorry
            {sorry|maaf karna|maaf kar dena} {sab|sabko|sab ko}
        """,
        "ur": """
            سب {سے|کو} معافی
        """,
    },
    "burden": {
        "en": """
            {nobody|no one|noone|nobody else} will {have to|} {put up with|deal with|miss|notice|care}
            {nobody|no one} would {even|} {notice|miss|care|look for|know}
            {nobody|no one} {will|would|is going to} miss me
            better off without me
            {happier|better|fine} without me
            {such a|a|just a} {burden|bojh}
            waste of {space|oxygen|air}
            {lighter|easier} without me
            {deserve|deserves} {better|a better}
            {they'd|they would|everyone would|everyone'd} be relieved
            everyone would be better off
            {happier|better|easier|fine} if i {wasn't|was not|weren't|were not} {here|around|alive}
            {better|happier|easier} if i {was|were} gone
            {anyone's|anybody's|everyone's|a} {problem|burden} anymore
            {happier|better|easier|lighter|calmer} ~ ~ if i {just|} {disappeared|disappear|vanished}
            {happier|better|easier|lighter|calmer} ~ ~ if i {just|} {vanish|was gone|died|left forever}
            {won't|wont|will not} be {anyone's|anybody's|a} {problem|burden}
            {all|only} i {bring|cause|give} {them|anyone|everyone|people} {is|} {shame|pain|trouble|problems}
            {only|always|just} {ever|} {cause|causing|bring|bringing} {problems|shame|trouble|pain} {for|to}
            {i'm|im|i am} a walking {loss|disaster|curse|burden|problem}
            {such a|a} load on {everyone|them|my family|everybody}
        """,
        "roman_ur": """
            {mujh|mujhe|mujhse} se {chutkara|chhutkara|jaan chhut|jaan chhoot|jan chut|jaan chut}
            {chutkara|chhutkara} mil {jayega|jaye ga|jaega}
            jaan {chhut|chhoot|chut} {jayegi|jaye gi|jaegi}
            {mere|mery} {baghair|bagair|bina} ~ {khush|behtar|acha}
            {bojh|boj} {hun|hoon|hu|ban gayi}
            {masla|mas'ala} {hun|hoon}
            koi ~ yaad nahi {karega|karay ga|kare ga}
            {meri|mery} wajah se ~ {dukhi|pareshan|pareshaan|tang}
            {main|mein} na hoti {to|tu} {acha|achha|behtar}
            {thak|tang} {gaye|aa gaye} ~ mujh se
            {mere|meri} hone {na|ya na} hone se
            {mere|meri} {jane|jaane|marne} se ~ farq
            {sirf|bas|bs} {musibat|museebat|mushkil|masla|bojh|sharmindagi|sharmindgi} {hun|hoon|hu|ban gayi}
            kisi {k|ke|ki} liye {problem|masla|bojh|musibat} {nahi|nai|nhi} {banungi|banoongi|rahungi|bnungi}
        """,
        "ur": """
            میرے بغیر ~ {خوش|بہتر}
            {بوجھ|مسئلہ} {ہوں|بن گئی}
            کوئی ~ یاد نہیں {کرے گا|کرے گی}
            {مجھ سے} {جان چھوٹ|چھٹکارا}
            میں نہ ہوتی تو {بہتر|اچھا}
            میری وجہ سے ~ {پریشان|دکھی}
        """,
    },
    "hopeless": {
        "en": """
            nothing to live for
            no point in {living|trying|life}
            {can't|cant|can not|cannot} go on
            {can't|cant|can not|cannot} do this anymore
            {no way out|never end|will never end|it will never end}
            {tired|sick} of {living|life|being alive}
            i'm so {empty|hopeless}
            {gave up|giving up} on {life|myself|everything}
            nothing matters
            {what's|whats|what is} the point {of anything|of living|of life|of trying|anymore}
            {don't|dont|can't|cant|do not} see a future
            no future
            done fighting
            {feel|feeling|so} hopeless
            {i've|i have} given up
            {it|things} {doesn't|does not|won't|will not|never} {get|gets} better
            nothing {is going to|is gonna|will|will ever|is ever going to} {get better|change|be the same}
            nothing {is going to|is gonna|will|will ever|is ever going to} {be okay|be ok|be fine}
            {im|i'm|i am} {just|so|completely|totally} {empty|numb|hollow}
            tired of {existing|everything|it all|breathing}
            {what's|whats|what is} left {for me|of my life|to live for}
            {can't|cant|cannot|can not} {even|} {picture|imagine|see} {next week|next month|tomorrow}
            {can't|cant|cannot|can not} {even|} {picture|imagine|see} {a future|myself}
        """,
        "roman_ur": """
            {jeene|jine} ka koi {faida|fayda|faaida|matlab|maqsad}
            {zindagi|zindgi} se {thak|tang|tung|bezaar} {gayi|gai|aa gayi|hun}
            bas ab khatam
            {aaj|ab|bas} sab khatam
            kuch {bhi|} {theek|thik|behtar|acha|achha} nahi {hoga|ho ga|hona}
            {kuch|kabhi} {bhi|} {theek|thik|behtar} nahi hone {wala|wali|waala}
            kuch {baqi|baaki|baki} nahi {raha|bacha}
            aur nahi
            ab {mujhse|mujh se|muj se|mujse} {nahi|nai|nhi} hota
            kuch {nahi|nai|nhi} {badlega|badle ga|badlay ga}
            andhera hi andhera
            aage kya {bacha|bachha|raha} {hai|he}
            saans lena {bhi|b} ~ {kaam|bojh|mushkil}
            andar se {bilkul|} {khaali|khali|khokhli} ho {gayi|gai|gyi|chuki}
        """,
        "ur": """
            زندگی سے {تھک|تنگ}
            {آج|اب|بس} سب ختم
            کچھ باقی نہیں {رہا|بچا}
            کچھ {بھی|} {ٹھیک|بہتر|اچھا} نہیں {ہوگا|ہو گا|ہونے والا}
            آگے کیا بچا ہے
            وجود سے {ہی|} تھک
            {کچھ|کبھی} اچھا نہیں {ہوتا|ہوگا}
        """,
    },
    # Context, not cues. A cause that makes "die" an idiom ("die of embarrassment").
    "idiom": {
        "en": """
            {of|from} {embarrassment|laughter|laughing|shame|happiness|boredom|cringe|cuteness|heat}
            {dying|died|die} laughing
            to die for
        """,
        "roman_ur": """
            {hansi|hasi|sharam|garmi|khushi|thand|bhook|bhuk} se
            hans hans {ke|kar}
        """,
        "ur": """
            {ہنسی|شرم|گرمی|خوشی|بھوک} سے
            ہنس ہنس {کے|کر}
        """,
    },
    # Talk *about* a topic ("khudkushi ke baare mein baat karna taboo nahi").
    "talk": {
        "en": """
            {talk|talking|talked|talks|speak|speaking|spoke|speaks} about
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
    # Grief for someone who died ("my aunt died by suicide years ago").
    "bereaved": {
        "en": """
            {died|dead|death} {by|of|from} suicide
            lost ~ to suicide
        """,
        "roman_ur": """
            khudkushi se {faut|intiqal|mar gayi|mar gaya}
        """,
        "ur": """
            خودکشی سے {فوت|انتقال}
        """,
    },
    # Past and recovered: "used to self harm, 5 years clean now".
    "recovery": {
        "en": """
            used to
            clean now
            {recovered|recovering} from
            in recovery
            years ago
            {yrs|year|yr} ago
            {yrs|years|year|yr|months} later
            {last year|a year back|years back}
            {back then|at one point} i
            back in
        """,
        "roman_ur": """
            pehle {karti|sochti} thi
            saal pehle
            {kai|bohat|kuch} saal
            {pichle|pichhle|guzishta} saal
            saal {pehle|baad}
            kabhi ~ {thi|tha|thin}
        """,
        "ur": """
            پہلے {کرتی|سوچتی} تھی
            {برسوں|سالوں|سال} پہلے
            {پچھلے|گزشتہ} سال
            کبھی ~ {تھی|تھا}
        """,
    },
    # Her present after a past crisis: "aaj khush hun", "today my life is better".
    "better_now": {
        "en": """
            {today|now} i am {happy|better|okay|fine|alive|doing better|doing well}
            {today|now} im {happy|better|okay|fine|alive}
            life is {better|good} now
            {my|} life is better
            it gets better
            i survived
            survivor here
            {i'm|im|i am} a survivor
            {don't|dont|never} give up
            {don't|dont|never} lose hope
            {today|now} ~ ~ {i am|im|i'm} {happy|better|okay|fine|alive|doing better|doing well}
            {scars|marks} {have|} faded
            {clean|free} for {months|years|a year|two years}
            {it|things} {does|do|will|} {get|gets} {better|lighter|easier}
            {pls|please|plz} hold on
            {if|when} {ur|you're|youre|you are|u r} where i was
        """,
        "roman_ur": """
            {aaj|ab} {khush|theek|behtar|thik} hun
            {aaj|ab} zindagi {behtar|achi|khoobsurat} hai
            haar mat {maanna|manna|mano|maano}
            {umeed|ummeed|umid} mat {chhorna|chhoro|chhorein|chhoren|chorna|choro}
            {aaj|ab} ~ ~ {khush|theek|behtar} {hun|hoon}
        """,
        "ur": """
            {آج|اب} {خوش|ٹھیک|بہتر} ہوں
            {آج|اب} زندگی {بہتر|اچھی} ہے
            ہار مت {ماننا|مانو}
            امید مت {چھوڑیں|چھوڑنا|چھوڑو}
            {آج|اب} ~ ~ {خوش|ٹھیک|بہتر} ہوں
        """,
    },
    # Someone else's crisis, told with her present: "ab wo theek hai", "she's fine now".
    "third_better": {
        "en": """
            {she's|she is|he's|he is|they're|they are} {fine|okay|ok|better|safe|alive|doing well} {now|today}
            {now|today} {she's|she is|he's|he is} {fine|okay|ok|better|safe|doing well}
            {she|he} survived
        """,
        "roman_ur": """
            {ab|aaj} {wo|woh|vo} {khush|theek|thik|behtar|mehfooz} hai
            bach {gayi|gai|gyi|gaya}
        """,
        "ur": """
            اب وہ {ٹھیک|خوش|بہتر} ہے
            بچ {گئی|گیا}
        """,
    },
    # A goodbye that is not a farewell ("see you after my holiday").
    "see_you": {
        "en": """
            {see you|see u|see ya|holiday|vacation|trip|moving to|logging off|ramadan|eid}
            {mother's day|birthday|anniversary}
        """,
        "roman_ur": """
            {milte hain|phir milenge|moving|shift ho}
            dua mein yaad
        """,
        "ur": """
            پھر ملیں گے
        """,
    },
}
_CONTEXT = frozenset(
    {"idiom", "talk", "recovery", "better_now", "third_better", "see_you", "bereaved"}
)

# --- word classes (light key) ----------------------------------------------------------------

_CLASSES: dict[str, str] = {
    "death": "die dying died dead death mar marna marne mrna maut mout marun مر مرنا مرنے موت مروں",
    "death_verb": "die mar marna marne mrna marun مر مرنا مرنے مروں",
    "life_inf": "jeena jina جینا",
    "life": """
        live living alive exist existing life zindagi zindgi zinda jeena jina jeene jine jeenay
        زندگی زندہ جینا جینے
    """,
    "desire": """
        want wanna wanted wish wishing rather pray praying ready thinking think thought peaceful
        peace relief chahti chahta chahiye chahye dil kash kaash soch sochti sochta khayal khyal
        sukoon khwahish khwaish khuwahish tamanna iccha arzoo
        چاہتی چاہتا چاہیے چاہئے دل کاش سوچ سوچتی خیال سکون خواہش تمنا آرزو
    """,
    "intent": "will ll gonna going shall",
    # Ending a life: "want my life to be over", "zindagi khatam karne ka sochti hun".
    "stop": "stop stopped end over khatam khtm ختم",
    "harm": """
        cut cutting cuts slit slitting slash slashed burn burning burned burnt scratch scratching
        punch punching bleed bleeding bled hurt hurting blade razor kaata kaati kaat kata kati
        zakhmi zakham zakhm chalaya kaate kaatay kaatey kaatin
        کاٹا کاٹی کاٹتی کاٹ کاٹے کاٹیں کٹ زخمی
    """,
    "body": """
        wrist wrists arm arms thigh thighs skin knuckles legs leg stomach kalai kalaiyan bazu
        haath hath taang jism khud myself kalaiyon tangon taangon
        کلائی کلائیاں کلائیوں بازو بازوؤں ہاتھ ٹانگ ٹانگوں ٹانگیں جسم خود
    """,
    "means": """
        pills pill tablets tablet meds medicine medicines syrup strip poison bleach acid
        pesticide knife blade razor rope noose overdose antidepressants painkillers panadol
        paracetamol xanax lexotanil alprazolam valium ativan tramadol rivotril clonazepam
        diazepam insulin ibuprofen brufen disprin aspirin sertraline fluoxetine escitalopram
        citalopram amitriptyline quetiapine olanzapine zolpidem lorazepam bromazepam codeine
        roof rooftop bridge canal ledge balcony terrace tracks building floor
        phenyl harpic gas river nadi darya dariya sea samandar gun pistol revolver bandook
        kerosene petrol chaaku chaku dupatta zehreeli zehrili killer insulin
        goli goliyan golian goliya dawai dawa zehr zahr zehar zeher zahar tezab tezaab rassi phanda
        pankha pankhe chhat pul nehar nahar manzil
        گولی گولیاں دوائی دوائیاں دوا زہر تیزاب رسی پھندا پنکھا پنکھے چھت پل نہر منزل دریا سمندر
        پستول بندوق چاقو چوہے
    """,
    "height": "roof rooftop bridge ledge balcony terrace building floor chhat pul manzil چھت پل منزل",
    "act": """
        take taking took swallow swallowed swallowing drink drank drinking jump jumping hang
        hanging counted saved saving collect collected stocked hoarded ordered bought overdose khol
        taken
        hidden hid hiding
        kha khaa khaun khaon khaungi khalungi khana khai khali pi piyun kod kodna kodne
        kodungi chhalang chalang latak
        lutak jama nigal
        کہاوں پی کود چھلانگ لٹک جمع نگل
    """,
    "jump": "jump jumping kod kodna kodne kodungi chhalang chalang کود چھلانگ",
    "quantity_strong": """
        all whole entire enough everything saari sari poori puri pura tamam kafi ساری پوری پورا
        تمام کافی
    """,
    "quantity": "every sab bunch handful lots patte patta pattay strip strips packet سب پتے",
    "hope": """
        hope hopes hopeless way point worth reason umeed umid ummeed faida fayda faaida matlab
        maqsad wajah waja raasta rasta future امید فائدہ مقصد وجہ راستہ
    """,
    "how": "how easiest quickest painless kitni kitne kitna کتنی کتنے کتنا",
    "enough": "enough kafi chahiye wake survive کافی",
}

# --- person, negation and setting markers (Roman Urdu key) -------------------------------------

_FIRST = """
    i im i'm ive i've id i'd me myself main mai mujhe mujhy mjhe muje mujh mujhse hun hoon hu
    مجھے مجھ ہوں
"""
# "mein" / "میں" is "I" or "in": a first-person marker only at the start of a clause.
_FIRST_AT_START = "mein میں"
_FIRST_SUBJECT = "i im ive id main mai hun hoon hu ہوں"
_THIRD = """
    she he her him his they them their friend friends sister brother cousin mom dad roommate
    classmate daughter son colleague student girl boy woman man larki larka ladki ladka aunt
    uncle wo woh voh vo us usne uss usay usse uski uska unhon unho dost behen bhai beti bhabhi bhabi
    khala phuppo chachi mami nani dadi
    وہ اس اسے اسکی دوست بہن بھائی بیٹی لڑکی
"""
# Second person and anyone: advice ("if you feel suicidal, call ...") is not a crisis.
_OTHER = """
    you your yourself u ur someone somebody anyone anybody people person aap ap tum tu apko
    آپ تم لوگ
"""
_CONDITIONAL = "if agar اگر"
# "Agar koi ...", "if someone ...": anyone after an "if" (only there: "koi umeed nahi" is hers).
_ANYONE = "koi kisi کوئی کسی"
# "Girls who ...", "jo larkiyan ...": a sentence about whoever does something, not about her.
_GENERIC_WHO = re.compile(
    r"\b(?:(?:girls|women|people|those|anyone|someone|survivors|students|kids|teens) who|"
    r"jo (?:larkiyan|larkiyaan|ladkiyan|aurtein|log|bachiyan|bachay))\b|"
    r"جو (?:لڑکیاں|عورتیں|لوگ|بچیاں)"
)
# Auxiliaries and verb endings right after a cue: "marna chahti hun" / "marna chahti hai".
_FIRST_AFTER = "hun hoon hu lungi dungi karungi jaungi lun dun karun jaun ہوں لوں دوں"
_THIRD_AFTER = "hai hain he hy legi degi karegi jayegi ہے ہیں"
_NEGATION = """
    never not dont don didnt didn wouldnt wouldn wont won no nahi nahin nai nhi na mat kabhi
    نہیں نہ مت کبھی
"""
_HOPE_NEGATION = "no not nothing nobody dont don doesn isn nahi nahin nai nhi koi na نہیں نہ کوئی"
# Support talk about crisis and the news: topic words and others' words are not an alert there
# (her own words still are).
_SUPPORT = """
    prevention preventable prevent awareness workshop seminar webinar training trainer session
    lecture helpline hotline lifeline crisisline volunteer volunteers volunteered volunteering
    caller callers news article articles khutba khutbe khutbay sermon maulana molana bayan
    headline report reports research study studies statistics rates survey campaign podcast
    documentary signs warning ngo support group counsellor counselor akhbar khabar rok roak
    tham thaam advice forum rules moderators khabron khabrein media doctor prescribed prescription
    dosage pharmacist
    آگاہی ورکشاپ سیمینار ہیلپ لائن خبر اخبار تحقیق بچاؤ روک لیکچر معلوماتی
"""
_MEDIA = """
    song songs lyrics movie film drama episode series novel poem gaana gana gaane gaanay nazm
    فلم ڈرامہ گانا
"""
# Asking how to help someone else is support talk too ("how can i help my sister who cuts herself").
_HELPING = re.compile(
    r"\b(?:how (?:can|do|should|could) (?:i|we) (?:help|support)|what (?:should|can|do) (?:i|we) say to|"
    r"(?:help|support) (?:a|my|our) (?:friend|sister|brother|cousin|daughter|son|student|colleague) who|"
    # "apni dost ki help kaise karun jo ...", "saheli ka saath kaise dun"
    r"(?:help|madad|saath|sath) (?:kaise|kese|kaisay) (?:karun|karoon|karu|dun|doon|du|karen|karein|den))\b|"
    + "|".join(re.escape(normalize(w).text) for w in ("ساتھ کیسے دوں", "مدد کیسے کروں", "ساتھ کیسے دیں"))
)
_CLAUSE_WORDS = "but however lekin magar لیکن مگر"
# Laughter: "I'll die if I fail chemistry again haha" is hyperbole (see ``_Setting.laughing``).
_LAUGHTER = "lol lmao lmfao rofl haha hahaha hahahaha hehe xd ہاہا ہاہاہا"
_LAUGHTER_EMOJI = ("\U0001f602", "\U0001f923", "\U0001f606", "\U0001f605")  # 😂 🤣 😆 😅
# Advice in the polite imperative ("kisi se baat karein"): talk to a reader, not about herself.
_ADVICE = "karein karen kijiye kijie kijye rahein rahen lein dein کریں کیجیے کیجئے رہیں لیں دیں"
# An act already done ("kha chuki hun", "already"): with a strong means it is a method.
_DONE = "chuki chuka chuke already"
# A goodbye message to someone close: tell + kin + love or sorry ("tell my little sister I'm
# sorry and that I loved her", "meri choti behen ko kehna ... pyar").
_TELL = "tell telling batana bata kehna keh بتانا کہنا بتا"
_TELL_ANCHORS = (
    "tell my", "telling my", "tell ammi", "tell abbu", "tell mom", "tell mum", "tell dad",
    "ko batana", "ko bata dena", "ko kehna", "کو بتانا", "کو کہنا", "کو بتا دینا",
)
_KIN = """
    sister sisters brother brothers mom mother mum mama ammi ami amma abbu abu dad father papa baba
    family daughter son husband behen bhai beti beta walidain
    بہن بھائی امی ابو ماں بیٹی بیٹا والدین
"""
_ADDRESSEE = frozenset({"you", "u", "everyone", "everybody", "all", "guys", "friends", "world",
                        "sab", "sabko", "dosto", "doston", "yaar", "yaaro", "سب", "دوستو"})
_FAREWELL_LOVE = "loved sorry maaf pyar pyaar love forgive پیار معاف"
_GOODBYE_WORDS = "goodbye alvida alwida bye الوداع"
_FIRST_FORCING = """
    myself lungi dungi karungi jaungi lun dun hun hoon mujhe mujh mera meri my i me لوں دوں ہوں مجھے
"""
_THIRD_FORCING = "herself himself themselves wants doesn legi degi karegi her"

_CLAUSE_SPLIT = re.compile(r"[.!?;,:\n\u060c\u061b\u061f\u06d4]+")
_SQUEEZE = re.compile(r"([aeiou])\1+")
_TOKEN = re.compile(r"[^\W_]+")
# Quote marks (an apostrophe inside a word is not one), cut out as a token of their own.
_QUOTE_MARK = re.compile(r"[\"“”«»]|(?<![^\W\d_])['‘’]|['‘’](?![^\W\d_])")
_QUOTE = "zqyqz"
_DOSE = re.compile(r"(?<![\d.])\d{2,5}\s?(?:mg|ml)\b", re.I)
_MEANS_EMOJI = ("\U0001f48a", "\U0001faa2")  # pill, knot (rope)
_SENTINEL = "zqxjzq"
_GAP = "~"
_NUMBER = "#"
_MAX_GAP = 2
_MIN_COUNT = 5

_DISTRESS = frozenset({"ideation", "die_future", "self_harm"})
_MODERATE_CUES = frozenset({"goodbye", "burden", "hopeless"})
# Whose means or time it is does not matter: her own words of distress decide.
_NEUTRAL = frozenset({"means", "blade", "jump", "time", "now", "plan", "presence"})
# Tools of self-harm: with self-harm they are its instrument, not a means of suicide.
_CUTTING = frozenset({"blade", "razor", "knife", "chhuri", "churi", "chaaku", "chaku", "بلیڈ", "چاقو"})
# Verb-ending cues whose auxiliary tells the person ("marna chahti hun" / "... hai").
_VERBAL = frozenset({"ideation", "self_harm", "topic", "goodbye", "burden", "hopeless"})
# Dropped beside laughter: the future "I'll die", goodbyes and apologies, never a reflexive
# ("kill myself lol" keeps its help lines), a means or self-harm.
_HYPERBOLE = frozenset({"die_future", "goodbye", "apology"})


def _light(text: str) -> str:
    """The light key: doubled vowels squeezed ("kood" → "kod", "khud" stays), nothing else."""
    return _SQUEEZE.sub(r"\1", text)


def _roman_tokens(text: str) -> list[str]:
    return roman_key(normalize(text).text).split()


def _light_tokens(text: str) -> list[str]:
    return _TOKEN.findall(_light(normalize(text).text))


def _words(block: str, key: Callable[[str], list[str]] = _roman_tokens) -> frozenset[str]:
    """Keyed single words ("i'm" splits into "i" and "m": only whole words are markers)."""
    out: set[str] = set()
    for w in block.split():
        toks = key(w)
        if len(toks) == 1:
            out.add(toks[0])
    return frozenset(out)


_ANYONE_WORDS = _words(_ANYONE, _light_tokens)


@dataclass(frozen=True, slots=True)
class _Pattern:
    category: str
    tokens: tuple[str, ...]  # keyed tokens; _GAP and _NUMBER are wildcards
    subject: str | None  # fixed by the cue's own words ("myself", "lungi", "herself")


@dataclass(frozen=True, slots=True)
class _Lexicon:
    by_first: dict[str, tuple[_Pattern, ...]]
    numbered: tuple[_Pattern, ...]
    classes: dict[str, frozenset[str]]
    class_of: dict[str, tuple[str, ...]]
    first: frozenset[str]
    first_at_start: frozenset[str]
    first_subject: frozenset[str]
    third: frozenset[str]
    other: frozenset[str]
    conditional: frozenset[str]
    first_after: frozenset[str]
    third_after: frozenset[str]
    negation: frozenset[str]
    hope_negation: frozenset[str]
    support: frozenset[str]
    media: frozenset[str]
    clause_words: frozenset[str]
    goodbye_words: frozenset[str]
    topic_words: frozenset[str]
    laughter: frozenset[str]
    advice: frozenset[str]
    done: frozenset[str]
    tell: frozenset[str]
    kin: frozenset[str]
    farewell_love: frozenset[str]
    pronoun: frozenset[str]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    """Key every phrase and word once (the first call takes a few milliseconds)."""
    first_forcing = _words(_FIRST_FORCING)
    third_forcing = _words(_THIRD_FORCING)
    by_first: dict[str, list[_Pattern]] = {}
    numbered: list[_Pattern] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for category, langs in _PHRASES.items():
        for block in langs.values():
            for line in block.strip().splitlines():
                for variant in expand(line.strip()):
                    toks: list[str] = []
                    for part in variant.split():
                        toks.extend([part] if part in (_GAP, _NUMBER) else _roman_tokens(part))
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
    classes = {name: _words(block, _light_tokens) for name, block in _CLASSES.items()}
    class_of: dict[str, list[str]] = {}
    for name, members in classes.items():
        for w in members:
            class_of.setdefault(w, []).append(name)
    return _Lexicon(
        by_first={k: tuple(v) for k, v in by_first.items()},
        numbered=tuple(numbered),
        classes=classes,
        class_of={k: tuple(v) for k, v in class_of.items()},
        first=_words(_FIRST, _light_tokens),
        first_at_start=_words(_FIRST_AT_START, _light_tokens),
        first_subject=_words(_FIRST_SUBJECT, _light_tokens),
        third=_words(_THIRD, _light_tokens),
        other=_words(_OTHER, _light_tokens),
        conditional=_words(_CONDITIONAL, _light_tokens),
        first_after=_words(_FIRST_AFTER, _light_tokens),
        third_after=_words(_THIRD_AFTER, _light_tokens),
        negation=_words(_NEGATION, _light_tokens),
        hope_negation=_words(_HOPE_NEGATION, _light_tokens),
        support=_words(_SUPPORT, _light_tokens),
        media=_words(_MEDIA, _light_tokens),
        clause_words=_words(_CLAUSE_WORDS, _light_tokens),
        goodbye_words=_words(_GOODBYE_WORDS, _light_tokens),
        topic_words=_words("suicide suicidal harm selfharm khudkushi kushi خودکشی کشی", _light_tokens),
        laughter=_words(_LAUGHTER, _light_tokens),
        advice=_words(_ADVICE, _light_tokens),
        done=_words(_DONE, _light_tokens),
        tell=_words(_TELL, _light_tokens),
        kin=_words(_KIN, _light_tokens),
        farewell_love=_words(_FAREWELL_LOVE, _light_tokens),
        pronoun=_words("i im me my myself main mai mujhe mujh mera meri mere مجھے میرا میری", _light_tokens),
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
class _Clause:
    words: list[str]  # Roman Urdu key (phrases)
    light: list[str]  # light key, aligned with ``words`` (word classes, markers)
    quoted: bool = False  # inside a closed pair of quote marks


@dataclass(frozen=True, slots=True)
class CrisisFinding:
    """The risk a text shows, the cues that decided it, and an excerpt for moderators."""

    risk: str
    cues: tuple[str, ...]
    excerpt: str


def _subject(
    lex: _Lexicon, words: list[str], start: int, end: int, category: str, fixed: str | None = None
) -> str:
    if fixed == "third" and any(x in lex.other for x in words[:start]):
        return "other"  # "ask someone whether they are thinking about killing themselves"
    if fixed is not None:
        return fixed
    if category in _NEUTRAL:
        return "none"
    for j in range(start - 1, -1, -1):
        if _is_first(lex, words, j):
            return "first"
        w = words[j]
        if w in lex.third:
            return "other" if any(x in lex.other for x in words[:j]) else "third"
        if w in lex.other:
            return "other"
    if category in _VERBAL and end < len(words):
        if words[end] in lex.first_after:
            return "first"
        if words[end] in lex.third_after:
            return "third"
    return "none"


def _is_first(lex: _Lexicon, words: list[str], j: int) -> bool:
    """Is ``words[j]`` (light key) the writer: "I", "main", "mujhe", clause-initial "میں", "میں
    نے", "mere paas" (I have)?"""
    w = words[j]
    if w in lex.first:
        return True
    nxt = words[j + 1] if j + 1 < len(words) else ""
    if w in lex.first_at_start and (j == 0 or nxt in ("نے", "ne")):
        return True
    return (w, nxt) in _POSSESSION


_POSSESSION = frozenset({("mere", "pas"), ("mere", "paas"), ("میرے", "پاس"), ("my", "hand")})


def _clauses(folded: str) -> list[_Clause]:
    """The clauses of a text (split at punctuation and "but"), each in both keys, with whether
    it sits inside quote marks."""
    marked = _CLAUSE_SPLIT.sub(f" {_SENTINEL} ", folded) if _CLAUSE_SPLIT.search(folded) else folded
    if _QUOTE_MARK.search(marked):
        marked = _QUOTE_MARK.sub(f" {_QUOTE} ", marked)
    raw = _TOKEN.findall(marked)
    light = [_light(w) for w in raw]
    roman = roman_key(" ".join(raw)).split()
    if len(roman) != len(light):  # never expected: the Roman key rewrites inside words only
        roman = light
    lex = _lexicon()
    out: list[_Clause] = []
    words: list[int] = []
    inside = False
    opened_at = -1  # the clause where the open quote began
    quoted_now = False
    for i, w in enumerate([*light, _SENTINEL]):
        if w == _QUOTE:
            inside = not inside
            if inside:
                opened_at = len(out)
            quoted_now = quoted_now or inside
            continue
        if w == _SENTINEL or w in lex.clause_words:
            if words:
                out.append(_Clause([roman[j] for j in words], [light[j] for j in words], quoted_now))
            words, quoted_now = [], inside
            continue
        words.append(i)
    if inside:  # an unclosed quote quotes nothing
        out[opened_at:] = [_Clause(c.words, c.light) for c in out[opened_at:]]
    return out


def _phrase_cues(lex: _Lexicon, c: _Clause, clause: int) -> tuple[list[_Cue], set[str]]:
    found: list[_Cue] = []
    context: set[str] = set()
    words, light = c.words, c.light
    for i, w in enumerate(words):
        pats = lex.by_first.get(w)
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
            window = light[max(0, i - 3) : i] + [light[g] for g in gaps]
            negated = any(x in lex.negation for x in window)
            subject = _subject(lex, light, i, end, p.category, p.subject)
            found.append(_Cue(p.category, subject, negated, clause))
    return found, context


def _first_future(w: str) -> bool:
    """A first-person future or subjunctive verb: "lungi", "jaungi", "kar dun", "لوں"."""
    return w.endswith(("ungi", "unga", "ongi", "onga", "وں")) or w in _FIRST_FUTURE


_FIRST_FUTURE = frozenset({"lun", "dun", "jaun", "jaon", "karun", "khaun", "marun", "mrun"})
_URDU_TAKE = frozenset({"لوں", "لی", "لیں", "لیا", "لینا", "لے"})
# Poisons: taking one at all is a method (a medicine needs a quantity or an intent).
_POISON = frozenset({"poison", "bleach", "acid", "phenyl", "harpic", "pesticide", "zehr", "zahr",
                     "zehar", "zeher", "zahar", "zehreeli", "zehrili", "tezab", "tezaab", "kerosene",
                     "زہر", "تیزاب", "چوہے"})
_POISON = frozenset(_light(w) for w in _POISON)
_COPULA = frozenset({"is", "isn", "are", "was", "hai", "ہے"})
_TAKEN = frozenset({"li", "liya", "lia", "lin", "lein", "le"})
_PROGRESSIVE = frozenset({"rahi", "raha", "rhi"})  # "ja rahi hun": I am going to
_IN_HAND = frozenset(
    tuple(_light_tokens(pair)) for pair in ("my hand", "hath mein", "haath mein", "ہاتھ میں")
)


def _class_cues(lex: _Lexicon, c: _Clause, clause: int, message: set[str]) -> list[_Cue]:
    """Cues from word classes meeting in one clause (see ``_CLASSES``); ``message`` holds the
    classes seen anywhere in the message (a quantity or a means may sit in the next clause)."""
    return _ClauseReader(lex, c, clause, message).cues()


class _ClauseReader:
    """One clause's word classes and the rules that combine them, one method a rule."""

    def __init__(self, lex: _Lexicon, c: _Clause, clause: int, message: set[str]) -> None:
        self.lex, self.clause, self.message = lex, clause, message
        self.words = words = c.light
        at: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            for name in lex.class_of.get(w, ()):
                at.setdefault(name, []).append(i)
        for i, w in enumerate(words[:-1]):
            # Urdu "کھا" (eat) folds to "کہا" (said), and "pee" (drink) to "pe" (on): they are
            # acts only before "لوں", "li", "lungi"...
            if (w == "کہا" and words[i + 1] in _URDU_TAKE) or (
                w == "pe" and (words[i + 1] in _TAKEN or _first_future(words[i + 1]))
            ):
                at.setdefault("act", []).append(i)
            elif w in ("le", "li") and i and "means" in lex.class_of.get(words[i - 1], ()) and (
                words[i + 1] in _TAKEN or words[i + 1] in ("hain", "hai", "he")
            ):
                at.setdefault("act", []).append(i)  # "pills le li hain": a means taken
        self.at = at
        self.neg = [i for i, w in enumerate(words) if w in lex.negation]
        self.future = [i for i, w in enumerate(words) if _first_future(w)] + [
            i for i, w in enumerate(words[:-1]) if w == "ja" and words[i + 1] in _PROGRESSIVE
        ]
        self.out: list[_Cue] = []

    def cues(self) -> list[_Cue]:
        self._farewell()
        if self.at:
            self._death()
            self._life()
            self._harm()
            self._method()
            self._means()
            self._how()
            self._hope()
        return self.out

    def _cue(self, category: str, idx: list[int], negated: bool = False) -> None:
        start, end = min(idx), max(idx) + 1
        fixed = "first" if self.future and category not in _NEUTRAL else None  # "kha lungi"
        subject = _subject(self.lex, self.words, start, end, category, fixed)
        self.out.append(_Cue(category, subject, negated, self.clause))

    def _negated_before(self, i: int) -> bool:
        return any(i - 3 <= j < i for j in self.neg)

    def _farewell(self) -> None:
        """Tell + kin + love or sorry: "tell my little sister I'm sorry", "ammi ko kehna pyar"."""
        lex, words = self.lex, self.words
        tell = [i for i, w in enumerate(words) if w in lex.tell]
        if not tell:
            return
        kin = [i for i, w in enumerate(words) if w in lex.kin and any(abs(i - t) <= 4 for t in tell)]
        love = [i for i, w in enumerate(words) if w in lex.farewell_love
                and any(0 < i - t <= 12 or 0 < i - k <= 12 for t in tell for k in kin)]
        if kin and love:
            self._cue("goodbye", [tell[0], kin[0], love[0]])

    def _death(self) -> None:
        """Death + desire: "I think about dying", "marne ko dil karta hai", "mar jaungi"."""
        at = self.at
        death = at.get("death")
        if not death:
            return
        d = death[0]
        near = [w for w in at.get("desire", []) if abs(w - d) <= 5]
        category = "ideation"
        verb = at.get("death_verb", [])
        if verb and not near:  # "going to die", "will die": intent before a verb of dying, or after
            near += [j for j in at.get("intent", []) + self.future if -1 <= verb[0] - j <= 3]
            near += [j for j in self.future if 0 < j - verb[0] <= 2]
            category = "die_future"  # also "I'll die if I fail": hyperbole beside laughter
        if near:
            w = near[0]
            negated = self._negated_before(min(d, w)) or self._negated_before(max(d, w))
            self._cue(category, [d, w], negated)

    def _life(self) -> None:
        """Life + negation + desire: "I don't want to be alive", "mujhe nahi jeena"."""
        at, neg = self.at, self.neg
        life, stops = at.get("life"), at.get("stop", [])
        if not life or not (neg or stops):
            return
        if at.get("desire") or (at.get("life_inf") and neg):
            self._cue("ideation", [life[0], *(neg or stops)])

    def _harm(self) -> None:
        """Harm + body or self: "slit my wrist", "apne bazu pe kaata"."""
        harm, body = self.at.get("harm"), self.at.get("body")
        if harm and body and abs(harm[0] - body[0]) <= 5:
            self._cue("self_harm", [harm[0], body[0]], self._negated_before(harm[0]))

    def _pushed(self) -> bool:
        """What turns taking a means into a method: a poison, a quantity, an intent, a time..."""
        at, words, message = self.at, self.words, self.message
        third_future = any(w.endswith(("egi", "ega")) for w in words) or any(
            w in ("گی", "گا") and j and words[j - 1] in ("لے", "دے") for j, w in enumerate(words)
        )  # "kha legi", "کھا لے گی": her words, about someone else
        poison = any(words[i] in _POISON for i in at.get("means", ()))
        done = "strong_means" in message and not self.lex.done.isdisjoint(words)  # "kha chuki"
        return bool(
            poison or done or at.get("quantity") or at.get("intent") or self.future or third_future
            or at.get("death") or at.get("desire") or any(_is_count(w) for w in words)
            or message & {"time", "plan", "quantity_strong", "count"}
        )

    def _method(self) -> None:
        """Means + act + push: "gonna take them all", "zehr pee lungi", "pills saved up"."""
        act = self.at.get("act")
        if act and "means" in self.message and self._pushed():
            self._cue("method", [act[0]], self._negated_before(act[0]))

    def _means(self) -> None:
        at, words = self.at, self.words
        first = any(_is_first(self.lex, words, j) for j in range(len(words)))
        if at.get("jump") and (self.future or at.get("intent") or first or at.get("desire")):
            self._cue("jump", at["jump"])
        means = at.get("means", [])
        cutting = [i for i in means if words[i] in _CUTTING]
        if cutting:
            self._cue("blade", cutting)
        if len(cutting) < len(means):
            self._cue("means", means)
        if means and any(pair in _IN_HAND for pair in zip(words, words[1:], strict=False)):
            self._cue("method", means)  # "the acid bottle is in my hand"

    def _how(self) -> None:
        """"How many tablets would it take", "kitna zehr chahiye", "easiest way to die"."""
        at = self.at
        if not at.get("how"):
            return
        target = at.get("means") or at.get("height") or "way" in self.words
        if target and (at.get("enough") or at.get("death") or "enough" in self.message):
            self.out.append(_Cue("method", "none", False, self.clause))

    def _hope(self) -> None:
        """Hope + negation: "koi umeed nahi", "no point", "no future"."""
        hope = self.at.get("hope")
        if hope and any(w in self.lex.hope_negation for w in self.words):
            self._cue("hopeless", hope)


def _goodbye_clause(lex: _Lexicon, c: _Clause, last: bool) -> bool:
    """A clause that starts with "goodbye" and is only that, or speaks to someone ("bye
    everyone", "alvida dosto"), or ends the message (whatever is appended, a slur included)."""
    light = c.light
    return light[0] in lex.goodbye_words and (len(light) == 1 or light[1] in _ADDRESSEE or last)


def _conditional_kind(lex: _Lexicon, words: list[str]) -> str | None:
    """"If your friend ...", "agar koi ..." (``other``); but "nobody would notice if I was gone,
    you ..." is about herself (``self``); None when the clause holds no "if" and no one else."""
    if lex.conditional.isdisjoint(words) or (
        lex.other.isdisjoint(words) and lex.third.isdisjoint(words) and _ANYONE_WORDS.isdisjoint(words)
    ):
        return None
    return "other" if _conditional_about_other(lex, words) else "self"


def _conditional_about_other(lex: _Lexicon, words: list[str]) -> bool:
    """"If your friend ...", "agar koi ...": the first person marker after "if" is someone else
    ("nobody would notice if I was gone, you ..." is about herself)."""
    for k, w in enumerate(words):
        if w not in lex.conditional:
            continue
        for j in range(k + 1, len(words)):
            if _is_first(lex, words, j):
                break
            if words[j] in lex.other or words[j] in lex.third or words[j] in _ANYONE_WORDS:
                return True
    return False


def _general_statement(lex: _Lexicon, c: _Clause) -> bool:
    """"Self harm is not attention seeking": a topic word as the subject of a general sentence,
    with no first person in the clause."""
    topics = lex.topic_words
    if _GENERIC_WHO.search(" ".join(c.light)):
        return not any(_is_first(lex, c.light, j) for j in range(len(c.light)))
    for i, w in enumerate(c.light[:-1]):
        if w in topics and c.light[i + 1] in _COPULA:
            return not any(_is_first(lex, c.light, j) for j in range(len(c.light)))
    return False


def _message_classes(lex: _Lexicon, clauses: list[_Clause]) -> set[str]:
    seen: set[str] = set()
    for c in clauses:
        for w in c.light:
            seen.update(lex.class_of.get(w, ()))
            if _is_count(w):
                seen.add("count")
    return seen


def assess(text: str, normalized: Normalized | None = None) -> CrisisFinding | None:
    """The crisis risk of ``text`` (``imminent``, ``high``, ``moderate``), or None.

    Pass the pipeline's ``Normalized`` to avoid folding the text twice. Never raises on a string.
    """
    if not text:
        return None
    n = normalized if normalized is not None else normalize(text)
    lex = _lexicon()
    clauses = _clauses(n.text)
    message = _message_classes(lex, clauses)
    original = n.original
    emoji = any(e in original for e in _MEANS_EMOJI)
    cues: list[_Cue] = []
    context: dict[int, set[str]] = {}
    conditional: set[int] = set()
    if_self: set[int] = set()
    phrase_cues = [_phrase_cues(lex, c, i) for i, c in enumerate(clauses)]
    message |= {f.category for found, _ctx in phrase_cues for f in found} & {"time", "plan"}
    if any(f.category == "means" for found, _ctx in phrase_cues for f in found):
        message.add("strong_means")  # "sleeping pills", "neend ki goliyan", "rat poison"
    for i, c in enumerate(clauses):
        found, ctx = phrase_cues[i]
        have = {f.category for f in found}
        if message or found or not lex.tell.isdisjoint(c.light):
            found.extend(f for f in _class_cues(lex, c, i, message) if f.category not in have)
        if "goodbye" not in have and _goodbye_clause(lex, c, last=i == len(clauses) - 1):
            found.append(_Cue("goodbye", "none", False, i))
        cues.extend(found)
        if c.quoted:
            ctx.add("quoted")
        if _general_statement(lex, c):
            ctx.add("generic")
        if ctx:
            context[i] = ctx
        kind = _conditional_kind(lex, c.light)
        if kind is not None:
            (conditional if kind == "other" else if_self).add(i)
    if not cues and not emoji:
        return None
    setting = _setting_of(lex, clauses, n, emoji)
    risk, names = _decide(cues, context, conditional, setting, if_self)
    if risk is None:
        return None
    return CrisisFinding(risk, names, _excerpt(n))


def _setting_of(lex: _Lexicon, clauses: list[_Clause], n: Normalized, emoji: bool) -> _Setting:
    """What surrounds the cues: support talk, media, a dose, her own voice, laughter, advice."""
    original = n.original
    words = {w for c in clauses for w in c.light}
    text = n.text
    dose = ("mg" in text or "ml" in text) and _DOSE.search(original) is not None
    first_subject = not lex.first_subject.isdisjoint(words) or any(
        _first_future(w) or (_is_first(lex, c.light, j) and w not in lex.first)
        for c in clauses for j, w in enumerate(c.light))
    return _Setting(
        support=not lex.support.isdisjoint(words) or _HELPING.search(n.text) is not None,
        media=not lex.media.isdisjoint(words),
        emoji=emoji,
        dose=dose,
        first_subject=first_subject,
        laughing=not lex.laughter.isdisjoint(words) or any(e in original for e in _LAUGHTER_EMOJI),
        advice=not lex.advice.isdisjoint(words) and lex.pronoun.isdisjoint(words),
    )


@dataclass(frozen=True, slots=True)
class _Setting:
    support: bool  # a workshop, a helpline, the news
    media: bool  # a song, a film, a drama
    emoji: bool  # the pill or rope emoji
    dose: bool  # "800mg"
    first_subject: bool  # "I", "main", "hun" somewhere
    laughing: bool = False  # "lol", "haha", 😂: "I'll die if I fail" is hyperbole
    advice: bool = False  # "baat karein", with no first person: advice to a reader


#: Cues a survivor's past does not explain away: a means, a method, a time, a plan, a presence.
_NOW_CUES = frozenset({"means", "method", "time", "plan", "presence", "jump", "now"})
#: Cues that put a survivor's means in the present ("tonight", "right now", a note written).
_CURRENT_CUES = frozenset({"time", "plan", "now"})


def _topic_explained(
    c: _Cue, ctx: set[str] | tuple[()], in_message: set[str], distress_clauses: set[int], s: _Setting
) -> bool:
    """Whether the word "suicide" or "self harm" is explained by its setting: not her own words
    in support talk or the news, her distress already said in its clause, a survivor's past, or
    talk *about* the topic."""
    return (
        ((s.support or s.media) and c.subject != "first")
        or c.clause in distress_clauses
        or "recovery" in in_message
        or ("talk" in ctx and c.subject != "first")
    )


def _kept(
    cues: list[_Cue], context: dict[int, set[str]], conditional: set[int], s: _Setting
) -> list[_Cue]:
    """The cues that still speak after their setting is read."""
    distress_clauses = {c.clause for c in cues if c.category in _DISTRESS}
    in_message = set().union(*context.values()) if context else set()
    current = {c.category for c in cues}
    kept: list[_Cue] = []
    for c in cues:
        ctx = context.get(c.clause, ())
        if c.subject == "other":
            continue  # advice to "you", talk of "anyone"
        if c.clause in conditional and c.subject != "first" and c.category not in _NEUTRAL:
            continue  # "if your friend is suicidal, ..."
        if c.category == "topic" and _topic_explained(c, ctx, in_message, distress_clauses, s):
            continue
        if (s.support or s.media) and (
            (c.subject != "first" and c.category not in _NEUTRAL) or "quoted" in ctx
        ):
            continue  # workshops, the news, dramas: only her own words count, and not a line
            # quoted from a song, a film or a training
        if _explained(c, ctx, in_message, current, s):
            continue
        kept.append(c)
    return kept


def _explained(
    c: _Cue, ctx: set[str] | tuple[()], in_message: set[str], current: set[str], s: _Setting
) -> bool:
    """Whether a cue's context explains it away: a general sentence, an idiom, someone else
    now safe or grieved for, a goodbye that is "see you", a survivor's past, laughter, advice."""
    if "generic" in ctx and c.subject != "first":
        return True  # "jo larkiyan khud ko zakhmi karti hain, unhein saath chahiye"
    if "idiom" in ctx and c.category in {"ideation", "die_future", "topic", "hopeless"}:
        return True
    if c.subject == "third" and ("third_better" in in_message or "bereaved" in ctx):
        return True  # "meri dost ... marna chahti hai ... aaj wo theek hai"; grief for her
    if "bereaved" in ctx and c.category == "topic":
        return True
    if c.category == "goodbye" and "see_you" in in_message:
        return True  # "phir milenge"
    if {"recovery", "better_now"} <= in_message and (
        c.category not in _NOW_CUES or ("recovery" in ctx and not current & _CURRENT_CUES)
    ):
        # A survivor's past ("saal pehle ... sochti thi, aaj khush hun"), its means too when
        # told in that past ("2 yrs ago i stood on my roof ... it gets better"), unless a time,
        # a plan or "right now" says it is happening again.
        return True
    if s.laughing and c.category in _HYPERBOLE:
        return True  # "I'll die if I fail chemistry haha", "tell my sister I love her haircut lol"
    # "khudkushi ke khayal aayein to kisi se baat karein"
    return s.advice and c.subject != "first" and c.category in {"topic", "ideation"}


def _decide(
    cues: list[_Cue], context: dict[int, set[str]], conditional: set[int], s: _Setting,
    if_self: set[int] | None = None,
) -> tuple[str | None, tuple[str, ...]]:
    # In a clause whose "if" is followed by herself, only her unmarked words still speak ("nobody
    # would notice if I was gone"); someone else's ("he'd kill himself if I left") do not.
    conditional = conditional | {c.clause for c in cues
                                 if c.clause in (if_self or ()) and c.subject not in ("first", "none")}
    kept = _kept(cues, context, conditional, s)
    mine = [c for c in kept if c.subject in ("first", "none") and not c.negated]
    lower = [c for c in kept if not (c.subject in ("first", "none") and not c.negated)]
    cats = {c.category for c in mine}
    presence, jump = "presence" in cats, "jump" in cats
    means = "means" in cats or s.emoji or s.dose or presence or jump
    when = bool(cats & {"time", "plan"})
    ideation = bool(cats & ({"ideation", "die_future", "topic"} | _MODERATE_CUES))
    if "apology" in cats:  # "sorry everyone" beside a means or distress is a farewell
        ideation = ideation or means or "method" in cats or "self_harm" in cats
        if not (ideation or cats & _DISTRESS):
            cats.discard("apology")
    risk: str | None = None
    if (
        "method" in cats
        or (ideation and (means or "blade" in cats))
        or ("self_harm" in cats and means)
        or (ideation and when)
        or ("plan" in cats and "time" in cats)
        or ((means or "blade" in cats) and (when or "now" in cats) and s.first_subject)
        or (means and "plan" in cats)
        or (presence and (when or "now" in cats or jump))
        or (s.emoji and when)
    ):
        risk = IMMINENT
    elif cats & (_DISTRESS | {"topic"}):
        risk = HIGH
    elif cats & _MODERATE_CUES or presence or any(
        c.category in _DISTRESS | _MODERATE_CUES | {"topic", "method"} for c in lower
    ):
        risk = MODERATE
    if risk is not None and s.media and risk != IMMINENT:
        risk = MODERATE  # her words beside a song or a drama: help, at a lower risk
    names = tuple(dict.fromkeys(c.category for c in kept))
    return risk, names + (("means",) if (s.emoji or s.dose) and "means" not in names else ())


# --- anchors: what makes the pipeline read a text at all ---------------------------------------

#: The id of the anchor rules compiled into the pipeline's rule set.
ANCHOR_ID = "crisis:anchor"
# Classes whose words every class rule needs (body, act, desire... only ever come with one).
_ANCHOR_CLASSES = ("death", "life", "harm", "means", "height", "jump", "hope")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
# A time never raises a crisis alone, so it needs no anchor: another cue always comes with it.
_UNANCHORED = _CONTEXT | {"time", "now"}


def _anchor_of(variant: str) -> str | None:
    """What stands for one phrase: its longest run of literal words (gaps and numbers cut runs),
    compiled as a phrase, so "tell my sister ~ ~ loved" is anchored by "tell my sister"."""
    runs: list[list[str]] = [[]]
    for w in variant.split():
        if w in (_GAP, _NUMBER):
            runs.append([])
        else:
            runs[-1].append(w)
    best = max((" ".join(r) for r in runs if r), key=len, default="")
    return best or None


@lru_cache(maxsize=1)
def anchor_rules() -> tuple[RuleSpec, ...]:
    """Word rules (action ``crisis``, id ``ANCHOR_ID``) for the pipeline's rule set: a text that
    holds none of them (and no pill emoji or dose, see ``symbol_cue``) shows no crisis cue, so
    the detector reads only texts that hold one. Latin words are compiled twice, plainly and
    with the Roman Urdu phonetic key, so every spelling the phrases accept is anchored."""
    words: set[str] = set()
    for name in _ANCHOR_CLASSES:
        words.update(_CLASSES[name].split())
    words.update(_GOODBYE_WORDS.split())  # a clause that is only "goodbye"
    # "tell my little sister I loved her" (see ``_farewell``): "tell" alone is everyday support
    # talk ("we should tell someone"), so the anchors are "tell" with a person after it and the
    # Urdu "ko batana / kehna".
    words.update(_TELL_ANCHORS)
    for category, langs in _PHRASES.items():
        if category in _UNANCHORED:
            continue
        for block in langs.values():
            for line in block.strip().splitlines():
                for variant in expand(line.strip()):
                    anchor = _anchor_of(variant)
                    if anchor is not None:
                        words.add(anchor)
    rules: list[RuleSpec] = []
    for w in sorted(words):
        kind = "phrase" if " " in w else "word"
        if _ARABIC.search(w):
            rules.append(RuleSpec(ANCHOR_ID, w, kind, CRISIS, "self_harm", "ur"))
        else:
            rules.append(RuleSpec(ANCHOR_ID, w, kind, CRISIS, "self_harm", "en"))
            rules.append(RuleSpec(ANCHOR_ID, w, kind, CRISIS, "self_harm", "roman_ur"))
    return tuple(rules)


def symbol_cue(n: Normalized) -> bool:
    """A cue the anchors cannot see: the pill or rope emoji, or a dose ("800mg")."""
    original = n.original
    if any(e in original for e in _MEANS_EMOJI):
        return True
    text = n.text
    return ("mg" in text or "ml" in text) and _DOSE.search(original) is not None


def _excerpt(n: Normalized) -> str:
    """A short piece of the original text for moderators (the whole text when short)."""
    text = n.original.strip()
    return text if len(text) <= 120 else text[:117] + "..."


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
