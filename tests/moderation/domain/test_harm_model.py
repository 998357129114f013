"""The harm model (threats and coercion, issue #13): shipped, scored in pure Python, only flags."""

from __future__ import annotations

import json

from moderation.domain.detector import HARM_MODEL_PATH, AbuseDetector, DetectorScore, harm_reason
from moderation.domain.pipeline import Pipeline

THRESHOLDS = {"roman_ur": 0.6, "ur": 0.9, "en": 0.9}


def test_the_harm_model_ships_with_its_thresholds_and_stays_small() -> None:
    model = json.loads(HARM_MODEL_PATH.read_text(encoding="utf-8"))
    assert model["format"] == "saheli-abuse-linear/1"
    assert set(model["meta"]["thresholds"]) == {"en", "roman_ur", "ur"}
    assert HARM_MODEL_PATH.stat().st_size < 1_000_000
    # the bounded held-out parts are never trained on
    assert not any(p in ("harm/heldout8", "crisis/heldout_h") for p in model["meta"]["project_parts"])


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
