"""The harm model (threats and coercion, issue #13): shipped, scored in pure Python, only flags."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from moderation.domain.detector import (
    CRISIS_MODEL_PATH,
    HARM_MODEL_PATH,
    AbuseDetector,
    DetectorScore,
    harm_reason,
    tokens,
)
from moderation.domain.pipeline import Pipeline, crisis_odds

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench" / "detector"))

import train as T  # noqa: E402

THRESHOLDS = {"roman_ur": 0.6, "ur": 0.9, "en": 0.9}


def test_the_harm_model_ships_with_its_thresholds_and_stays_small() -> None:
    model = json.loads(HARM_MODEL_PATH.read_text(encoding="utf-8"))
    assert model["format"] == "saheli-abuse-linear/1"
    assert set(model["meta"]["thresholds"]) == {"en", "roman_ur", "ur"}
    assert HARM_MODEL_PATH.stat().st_size < 1_000_000
    # the bounded held-out parts (named once, in bench/eval_moderation.py) are never trained on
    assert T.bounded_parts().isdisjoint(model["meta"]["project_parts"])


def test_the_crisis_model_ships_with_its_thresholds_and_never_saw_the_bounded_parts() -> None:
    model = json.loads(CRISIS_MODEL_PATH.read_text(encoding="utf-8"))
    assert model["format"] == "saheli-abuse-linear/1"
    assert set(model["meta"]["help"]) == {"en", "roman_ur", "ur"}
    assert 0 < model["meta"]["alert"] < min(model["meta"]["help"].values())
    assert CRISIS_MODEL_PATH.stat().st_size < 2_000_000
    assert T.bounded_parts().isdisjoint(model["meta"]["project_parts"])
    assert any(p.startswith("ordinary/") for p in model["meta"]["project_parts"])


def test_the_crisis_model_widens_help_lines_and_quiets_alerts_on_talk_about_crisis() -> None:
    """Help lines for a goodbye no crisis word names; no alert for a workshop on suicide
    prevention; a greeting is a greeting; hashtags do not hide her."""
    pipeline = Pipeline.build()
    goodbye = pipeline.screen("gave my gold earrings to my cousin today. tell ammi i'm sorry")
    assert goodbye.offers_help and goodbye.action != "block"
    workshop = pipeline.screen(
        "our college had a suicide prevention workshop, they taught us how to ask a friend "
        "directly if she is thinking of killing herself")
    assert not workshop.crisis
    for hello in ("Good morning, salaam everyone", "how do I change my username?"):
        assert not pipeline.screen(hello).offers_help
    folded = "## #alone i want to kill myself"
    assert crisis_odds(folded, tokens(folded)) == (True, True)


def test_harm_reason_only_flags_at_the_language_threshold() -> None:
    assert harm_reason(DetectorScore(0.95, "en"), {"en": 0.9}) is not None
    assert harm_reason(DetectorScore(0.85, "en"), {"en": 0.9}) is None
    assert harm_reason(DetectorScore(0.99, "xx"), {"en": 0.9}) is None
    found = harm_reason(DetectorScore(0.95, "en"), {"en": 0.9})
    assert found is not None and found.action == "flag" and found.code == "harm_score:en"


def test_the_deployed_pipeline_flags_what_the_harm_model_scores_high() -> None:
    pipeline = Pipeline.build(abuse_threshold=THRESHOLDS)
    model = AbuseDetector.load(HARM_MODEL_PATH)
    text = "nobody will hear you scream out there"
    score = model.score(text)
    verdict = pipeline.screen(text)
    if score.score >= model.meta["thresholds"][score.language]:
        assert "harm_score:en" in verdict.codes
        assert verdict.action in ("flag", "hold", "block")


def test_the_harm_model_does_not_run_without_the_detector() -> None:
    verdict = Pipeline.build().screen("nobody will hear you scream out there")
    assert not any(code.startswith("harm_score") for code in verdict.codes)
