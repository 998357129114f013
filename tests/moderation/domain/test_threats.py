"""Threats and coercion (issue #13): shapes in English, Urdu script, Roman Urdu and mixed text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.domain.normalize import normalize
from moderation.domain.pipeline import Pipeline
from moderation.domain.threats import detect_coercion, detect_harm, detect_threats
from moderation.models import Priority
from moderation.services.review import reason_priority
from tests.moderation.domain.costs import assert_linear, fastest_ms


def threats(text: str) -> list[str]:
    return [r.code for r in detect_threats(normalize(text).text)]


def coercion(text: str) -> list[str]:
    return [r.code for r in detect_coercion(normalize(text).text)]


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.build()


@pytest.mark.parametrize(
    "text",
    [
        # English: future forms, idioms, family, acid, stalking, text-speak
        "you'll regret opening your mouth",
        "i swear ill break ur legs if i see u with him",
        "be careful when you step out alone",
        "someone should throw acid on that face",
        "we'll deal with your father first",
        "your days are numbered",
        "i know where your sister studies",
        "gonna wreck that face of yours",
        # Roman Urdu and code-mixed
        "tera wo haal karenge ke yaad rakhegi",
        "main tera game khatam kar dunga",
        "tumhare bhai ko raste mein utha lenge",
        "ghar se bahar nikli to tangein tor dunga",
        "khandan ki naak katwayi to zinda nahi chhorunga",
        "teri pics viral kar dunga",
        # Urdu script (letter variants fold: ھ/ہ, ي/ی)
        "تمہیں سبق سکھا دیں گے",
        "تیرے چہرے پر تیزاب ڈالوں گا",
        "تمھارے گھر والوں کو بھی نہیں چھوڑیں گے",
        "اکیلی باہر نکلی تو انجام اچھا نہیں ہوگا",
        # her comings and goings known, her door found
        "i know which rickshaw drops you home after tuition",
        "we know what time you leave the hostel",
        "ive been standing outside your house every night",
        "tumhara ghar dhoond liya hai, ab dekhte hain",
        "pata hai tum kis time academy se nikalti ho",
        "تیرا گھر دیکھ لیا ہے",
        # evasions the normaliser already folds
        "y0u w1ll r.e.g.r.e.t this",
    ],
)
def test_threats_are_held(text: str) -> None:
    reasons = detect_threats(normalize(text).text)
    assert len(reasons) == 1
    assert reasons[0].code.startswith("threat:")
    assert (reasons[0].action, reasons[0].category) == ("hold", "threat")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I'll throw acid on your face", "threat:acid"),
        ("تیرا منہ تیزاب سے جلا دوں گا", "threat:acid"),
        ("dishonour my family and you're finished", "threat:honour"),
        ("teri ammi ko bhi nahi chorenge", "threat:family"),
    ],
)
def test_the_code_names_the_kind_of_threat(text: str, kind: str) -> None:
    assert threats(text) == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "send me 20k by friday or your pictures go to your whole family",
        "if you don't come meet me tomorrow, everyone at your office sees the video",
        "your husband will get the photos unless you meet me",
        "send more pics or the ones I have go on every group",
        "i have ur pictures. dont make me send them to your boss",
        "paise bhejo warna tumhari tasveerein sab ko bhej dunga",
        "kal milne aao nahi to video tumhare abbu ko chali jayegi",
        "agar block kiya to sari chats tumhare shohar ko",
        "10k easypaisa kar do, otherwise your pics will be everywhere",
        "پیسے بھیجو ورنہ تمہاری تصویریں سب کو بھیج دوں گا",
        "اگر بات نہیں کی تو تمہاری چیٹس تمہارے شوہر کو دکھا دوں گا",
        "بات کرو ورنہ تمہاری نوکری ختم کروا دوں گا",
    ],
)
def test_demands_with_a_lever_are_coercion(text: str) -> None:
    codes = coercion(text)
    assert len(codes) == 1 and codes[0].startswith("coercion:")


@pytest.mark.parametrize(
    "text",
    [
        "I'm going to kill it at the exam tomorrow",
        "this song is killing me",
        "my family will kill me if I fail lol",
        "self defence tip: if someone grabs your wrist, twist toward their thumb and run",
        "if someone throws acid on you, pour lots of water on it right away",
        "News: police arrested a man who threatened to throw acid on a student",
        "Under PECA section 21 blackmailing with intimate images is a crime",
        "Be careful when you go out alone at night, share your live location with your family",
        "Send the screenshots to the FIA or they will not register the case",
        "pay the fee before friday or the admission is cancelled",
        "apni videos aur pics ka backup rakho warna phone kho gaya to sab chala jayega",
        "meri ammi ne kaha warna khana thanda ho jayega",
        "main ye assignment aaj khatam kar dungi",
        "sab mar jayenge january khatam nahi hoga",
        "mera jism meri marzi, picture banao or apne papa ko tag karo",
        "دل ہی تو ہے نہ سنگ و خشت درد سے بھر نہ آئے کیوں",
        "اگر کوئی تصویریں وائرل کرنے کی دھمکی دے تو فوراً ایف آئی اے کو بتائیں",
        "کل امتحان ہے ورنہ میں بھی آ جاتی",
        "I know which van is cheaper for school, anyone?",
        "tera ghar dekh ke bohat acha laga, beautiful decor",
        "I was outside your office yesterday but you were busy",
        "we are watching you grow into a strong woman, proud of you",
        "",
    ],
)
def test_look_alikes_are_not_threats_or_coercion(text: str) -> None:
    assert detect_harm(normalize(text).text) == []


def test_a_threat_is_held_in_the_pipeline(pipeline: Pipeline) -> None:
    v = pipeline.screen("be careful when you step out alone tonight")
    assert v.action == "hold"
    assert v.codes == ["threat:stalking"]


@pytest.mark.parametrize(
    "text",
    [
        "he said he'd throw acid on her if she ever left him",
        "he whispered that he knows where my sister studies",
        "usne DM kiya ke tumhari pics viral kar dunga warna milne aao. please help",
        "mere cousin ne dhamki di hai ke abbu ko sab chats dikha dega",
        "someone sent me a DM saying pay or my pictures go to my parents. what do I do",
        "مجھے میسج آیا کہ پیسے دو ورنہ تصویریں وائرل کر دوں گا، کیا کروں؟",
    ],
)
def test_a_victims_report_of_a_threat_is_flagged_never_blocked(
    pipeline: Pipeline, text: str
) -> None:
    # She may be in danger: a moderator sees it (urgent), but her story stays published.
    v = pipeline.screen(text)
    assert v.action == "flag"
    assert any(c.startswith(("threat:", "coercion:")) for c in v.codes)


def test_a_lexicon_threat_is_not_named_twice(pipeline: Pipeline) -> None:
    assert pipeline.screen("I will k1ll you").codes == ["lexicon:threat"]


def test_the_detectors_go_with_the_lexicons() -> None:
    assert Pipeline.build([], include_lexicons=False).screen("tera game khatam kar dunga").action == (
        "allow"
    )


@pytest.mark.parametrize(
    "reason",
    [
        {"code": "threat:acid", "category": "threat"},
        {"code": "coercion:images", "category": "coercion"},
        {"code": "personal_info:address", "category": "personal_info"},
    ],
)
def test_threat_coercion_and_personal_info_are_urgent_in_the_queue(reason: dict) -> None:
    assert reason_priority(reason) == Priority.URGENT


def _detect_folded(text: str) -> object:
    return detect_harm(normalize(text).text)


def _fastest_ms(text: str) -> float:
    folded = normalize(text).text
    return fastest_ms(detect_harm, folded)


@settings(max_examples=25, deadline=None)
@given(st.characters(), st.sampled_from([50_000, 20_000]))
def test_a_wall_of_one_character_costs_a_few_milliseconds(ch: str, n: int) -> None:
    assert_linear(_detect_folded, lambda k: ch * k, n)


@settings(max_examples=5, deadline=None)
@given(st.sampled_from(["kill you ", "or pics family ", "tumhe maar dunga ", "تمہیں مار ", "if u "]))
def test_a_wall_of_trigger_words_stays_linear(chunk: str) -> None:
    text = chunk * (50_000 // len(chunk))
    assert _fastest_ms(text) < 250  # a whole 50 KB of hits, still far from a request's budget


def test_ten_thousand_combining_marks_cost_a_few_milliseconds() -> None:
    assert_linear(_detect_folded, lambda k: "a" + "\u0301" * k, 10_000, base=1_000)


_SHARED = Pipeline.build()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_screened_without_error(text: str) -> None:
    v = _SHARED.screen(text)
    assert v.action in {"allow", "censor", "flag", "hold", "block"}


@pytest.mark.parametrize(
    "text",
    [
        "want your photos off that website? jazzcash 25,000 first, or else",
        "money or your pics go everywhere. decide fast",
        "tumhari video mere paas hai. 20 hazar bhejo, warna phir dekhna",
    ],
)
def test_a_demand_a_lever_and_a_choice_far_apart_are_coercion(text: str) -> None:
    assert [r.category for r in detect_harm(normalize(text).text)] == ["coercion"]


@pytest.mark.parametrize(
    "text",
    [
        "send me your wedding pics!",
        "your pictures from the wedding are lovely, send me more!",
        "if someone asks you to send pics or money, report it to the FIA cybercrime wing",
    ],
)
def test_asking_for_pictures_without_a_threat_is_not_coercion(text: str) -> None:
    assert detect_harm(normalize(text).text) == []
