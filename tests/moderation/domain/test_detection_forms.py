"""Forms the detectors learned in the second round of issues #13 and #14.

Each case is a shape a harasser or a woman in crisis writes, taken from the development parts of
``bench/moderation_eval`` (never from the held-out parts), and its benign look-alike.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.domain.crisis import assess
from moderation.domain.identifying import detect_identifying
from moderation.domain.pipeline import Pipeline
from tests.moderation.domain.costs import SLACK_MS, assert_linear, fastest_ms

PIPELINE = Pipeline.build()


def pii(text: str) -> list[str]:
    return [r.code for r in detect_identifying(text)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Sidra from BBA 2nd year at IBA Karachi, everyone message her", "personal_info:identity"),
        ("that Amna girl who studies at Kinnaird College, find her", "personal_info:identity"),
        ("yeh larki Sana hai, GCU mein parhti hai, BS third year", "personal_info:identity"),
        ("یہ ثنا ہے، پنجاب یونیورسٹی میں پڑھتی ہے", "personal_info:identity"),
        ("اس کا نمبر ۰۳۲۱۔۷۶۵۴۳۲۱ ہے", "personal_info:phone"),
        ("شناختی کارڈ نمبر ۴۲۱۰۱۔۹۸۷۶۵۴۳۔۱", "personal_info:cnic"),
        ("ای میل: hina ایٹ جی میل ڈاٹ کام", "personal_info:email"),
    ],
)
def test_identifying_details_in_more_shapes(text: str, code: str) -> None:
    assert code in pii(text)


@pytest.mark.parametrize(
    "text",
    [
        "Congratulations Hira on joining LUMS!",
        "She studies at Punjab University and loves it",
        "meri behen Punjab University mein parhti hai",
        "we visited DHA phase 6 for a wedding",
        "The Gulshan-e-Iqbal block 13 market closes at 9",
        "My sister said we should tell someone at the university office.",
    ],
)
def test_places_and_proud_news_are_not_identifying(text: str) -> None:
    assert pii(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "we will break every bone in that pretty body",
        "you won't make it home tonight",
        "girls who post like you end up dead in a ditch",
        "I'll come to your college and finish what I started",
        "your family is going to pay for what you said",
        "I know which van you take to school",
        "your sister had better stay indoors from now on",
        "teri tangen tod ke haath mein de denge",
        "tumhara ilaaj karna parega",
        "تیرے بھائی کی ٹانگیں توڑ کر ہاتھ میں دے دیں گے",
        "ہم تمہارے گھر آ کر بتائیں گے",
    ],
)
def test_more_threat_shapes_are_held(text: str) -> None:
    v = PIPELINE.screen(text)
    assert v.action == "hold", v.codes
    assert any(c.startswith("threat:") for c in v.codes)


@pytest.mark.parametrize(
    "text",
    [
        "You know what I have. 20k by friday or your in-laws get a surprise",
        "keep ignoring me and your dad gets the video",
        "send the money or I'll post everything on your wall",
        "I still have your pics. do as I say",
    ],
)
def test_more_coercion_shapes_are_held(text: str) -> None:
    assert any(c.startswith("coercion:") for c in PIPELINE.screen(text).codes)


@pytest.mark.parametrize(
    "text",
    [
        "I'll destroy you at ludo tonight haha",
        "you'll regret not coming to the meetup, it was fun!",
        "aapki apni zindagi hai, apna hisab khud de ga har insan",
    ],
)
def test_games_invitations_and_sayings_are_not_threats(text: str) -> None:
    assert not any(c.startswith("threat:") for c in PIPELINE.screen(text).codes)


@pytest.mark.parametrize(
    "text", ["main apni jaan le loon", "main khud ko khatam kar loon gi", "kal main dawai le loon"]
)
def test_the_roman_urdu_verb_ending_is_not_a_vulgar_word(text: str) -> None:
    assert "lexicon:sexual_harassment" not in PIPELINE.screen(text).codes


def test_the_vulgar_word_itself_is_still_caught() -> None:
    assert "lexicon:sexual_harassment" in PIPELINE.screen("tera lun").codes


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("aaj ki raat aakhri hai, zehr mere paas hai", "imminent"),
        ("میرے پاس رسی ہے اور میں تیار ہوں", "imminent"),
        ("i need to know how many sleeping tablets kill a person", "imminent"),
        ("on my way to the river. i won't be coming back", "imminent"),
        ("i bang my head on the wall until it bleeds", "high"),
        ("everyone would be happier if i wasn't here", "moderate"),
        ("my roommate told me she wants to die, what should i do", "moderate"),
    ],
)
def test_crisis_forms_get_their_risk(text: str, risk: str) -> None:
    found = assess(text)
    assert found is not None and found.risk == risk
    v = PIPELINE.screen(text + " you stupid bitch")
    assert v.crisis and v.action != "block"  # never refused, whatever else it holds


def test_asking_how_to_help_someone_is_not_an_alert() -> None:
    assert assess("how can i help my sister who cuts herself?") is None


# --- bad input (issue #13): a few milliseconds, never a crash ----------------------------------


@settings(max_examples=25, deadline=None)
@given(st.characters(), st.sampled_from([50_000, 20_000]))
def test_the_pipeline_on_a_wall_of_one_character(ch: str, n: int) -> None:
    assert_linear(PIPELINE.screen, lambda k: ch * k, n)


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(["\u0301", "\u064b", "\u0670", "\u200d", "\ufe0f"]), st.sampled_from("aب5 "))
def test_the_pipeline_on_ten_thousand_combining_marks(mark: str, base: str) -> None:
    assert_linear(PIPELINE.screen, lambda k: base + mark * k, 10_000, base=1_000)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(
    ["kill", "مار دوں گا", "tujhe", "0300", "۰۳۲۱", "@", " at ", "gali 4", "warna", "pics",
     "Сана", "ꜱᴀɴᴀ", "💊", "zehr", "ورنہ", "\u200b", "é", "!", " ", "loon"]
), min_size=1, max_size=40))
def test_the_pipeline_on_mixed_scripts_never_raises(parts: list[str]) -> None:
    text = " ".join(parts) + " "
    PIPELINE.screen(text)  # never raises
    # Linear growth from 5 KB to 50 KB. The absolute ceiling is not asserted here: a 50 KB wall
    # of one phone number or one threat phrase costs tens of milliseconds (see the README).
    small = fastest_ms(PIPELINE.screen, (text * (5_000 // len(text) + 1))[:5_000])
    large = fastest_ms(PIPELINE.screen, (text * (50_000 // len(text) + 1))[:50_000])
    assert large <= 4 * 10 * small + SLACK_MS, (large, small)
