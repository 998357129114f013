"""Speed of the moderation pipeline (lexicons plus 5,000 synthetic rules) against a naive regex.

Why: posting calls the pipeline on every message, and moderators add rules at run time; the cost
per message must stay flat as rules grow. Run: ``.venv/bin/python bench/bench_pipeline.py``.
Prints JSON: median and p95 per 300-character message (whole pipeline: normalise, match,
detectors, verdict), the naive baseline (one compiled ``re`` alternation of every rule over the
lower-cased text) measured in the same run, their ratio, and whether the bounds hold.

Bounds are ratios to references measured in the same run (issue #20: absolute microseconds do
not survive a change of machine; the same pipeline measured 50 µs on one and 111 µs on another):

* the one-regex alternation of all rules is at least 20× slower than the pipeline;
* the learned detector alone costs at most 1× the pipeline without it.

The absolute medians are printed as context, with the machine they were taken on (``run_all``
records it beside them).
"""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moderation.domain.detector import AbuseDetector  # noqa: E402
from moderation.domain.detectors import load_crisis_rules  # noqa: E402
from moderation.domain.pipeline import (  # noqa: E402
    Pipeline,
    RuleSpec,
    ScreenContext,
    load_lexicon_rules,
)
from moderation.services.rules import DEFAULT_ABUSE_THRESHOLDS  # noqa: E402

TOTAL_RULES = 5000
MESSAGE_LENGTH = 300
BOUND_RATIO = 20.0  # naive alternation / pipeline, same run
BOUND_DETECTOR_RATIO = 1.0  # detector alone / pipeline without it, same run
CONTEXT_MEDIAN_US = 100.0  # the issues' absolute figure, reported as context only

SENTENCES = [
    "I was really scared when he kept messaging me again and again.",
    "My sister said we should tell someone at the university office.",
    "Has anyone here reported a fake account to the FIA cyber crime wing?",
    "Thank you all for listening, this group helps me more than I can say.",
    "He made a new profile after I blocked the first one, what do I do now?",
    "Mujhe samajh nahi aa raha ke ghar walon ko kaise bataun.",
    "Aap sab ka shukriya, main ab thora behtar mehsoos kar rahi hoon.",
    "The helpline told me to keep screenshots of every message with dates.",
    "Is it safe to change my number, or will he find the new one too?",
    "Period pain and stress together make my days very long these weeks.",
]
URDU = (
    "مجھے سمجھ نہیں آ رہا کہ گھر والوں کو کیسے بتاؤں۔ وہ بار بار پیغام بھیجتا ہے اور میں بہت ڈر "
    "گئی ہوں۔ کیا کسی نے سائبر کرائم ونگ میں شکایت درج کرائی ہے؟ آپ سب کا شکریہ، یہ گروپ میری "
    "بہت مدد کرتا ہے۔ میری بہن کہتی ہے کہ ہمیں سکرین شاٹ محفوظ رکھنے چاہئیں۔ "
)


def synthetic_rules(n: int, rng: random.Random) -> list[RuleSpec]:
    """Word and phrase rules made of pronounceable nonsense words (deterministic).

    Words that occur in the benchmark's own messages are skipped, so the clean figure measures
    clean messages; the with-hits figure uses a lexicon hit instead.
    """
    cons, vows = "bcdfghjklmnprstvwz", "aeiou"
    corpus = set(re.findall(r"\w+", " ".join(SENTENCES).lower()))

    def word() -> str:
        while True:
            w = "".join(rng.choice(cons) + rng.choice(vows) for _ in range(rng.randint(2, 4)))
            if w not in corpus:
                return w

    rules = []
    for i in range(n):
        if i % 3 == 0:
            pattern, kind = f"{word()} {word()}", "phrase"
        else:
            pattern, kind = word(), "word"
        rules.append(RuleSpec(f"rule:{i}", pattern, kind, rng.choice(["flag", "hold", "censor"])))
    return rules


def messages(rng: random.Random, count: int) -> list[str]:
    """Distinct benign messages of exactly MESSAGE_LENGTH characters."""
    out = []
    for _ in range(count):
        text = ""
        while len(text) < MESSAGE_LENGTH:
            text += rng.choice(SENTENCES) + " "
        out.append(text[:MESSAGE_LENGTH])
    return out


def naive_matcher(rules: list[RuleSpec]) -> re.Pattern[str]:
    """The baseline: one alternation of every word and phrase rule, longest first."""
    patterns = sorted({r.pattern.lower() for r in rules if r.kind != "regex"}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in patterns) + r")\b")


def time_each(fn, items: list[str], rounds: int) -> list[float]:
    """Per-call wall times in microseconds."""
    samples = []
    for _ in range(rounds):
        for item in items:
            t0 = time.perf_counter_ns()
            fn(item)
            samples.append((time.perf_counter_ns() - t0) / 1000)
    return samples


def p95(samples: list[float]) -> float:
    """95th percentile."""
    return statistics.quantiles(samples, n=20)[-1]


def main() -> int:
    """Run the benchmark and print the figures as JSON."""
    rng = random.Random(20240601)
    lexicon = load_lexicon_rules()  # expanded: one rule per spelling
    crisis = load_crisis_rules()
    # The expanded lexicon alone holds about 5,500 spellings; 5,000 synthetic moderator rules
    # come on top, so the figure is for more than 10,000 rules.
    own = synthetic_rules(TOTAL_RULES, rng)
    t0 = time.perf_counter()
    pipeline = Pipeline.build(own)
    build_s = time.perf_counter() - t0
    rule_count = len(lexicon) + len(crisis) + len(own)

    msgs = messages(rng, 200)
    ctx = ScreenContext(
        account_age_seconds=30 * 86400.0,
        recent_texts=tuple(msgs[-3:]),
        recent_reply_targets=(4, 9, 4),
        reply_target=4,
    )
    urdu = [(URDU * 3)[i : i + MESSAGE_LENGTH] for i in range(0, 60, 3)]
    hit_msgs = [m[:-40] + " you are a stupid bitch, darn it all!!!" for m in msgs[:50]]
    hit_msgs = [m[:MESSAGE_LENGTH] for m in hit_msgs]

    def screen(m: str) -> object:
        return pipeline.screen(m, ctx)

    for m in msgs[:50]:  # warm caches (fold table, automaton pages)
        screen(m)
    with_hit = time_each(screen, hit_msgs, 20)
    urdu_t = time_each(screen, urdu, 50)

    # The learned detector (issue #8: ≤ 100 µs per 300-character message, normalising
    # included), and the pipeline as posting runs it: with the detector scoring too.
    detector = AbuseDetector.load()
    for m in msgs[:50]:
        detector.score(m)
    with_detector = Pipeline.build(own, abuse_threshold=DEFAULT_ABUSE_THRESHOLDS)
    for m in msgs[:50]:
        with_detector.screen(m, ctx)
    with_detector_t = time_each(lambda m: with_detector.screen(m, ctx), msgs, 10)

    naive = naive_matcher([*lexicon, *own])
    # The pipeline and its references are measured in alternating slices, so a busy machine
    # slows them alike and the ratios hold; each list gathers all its slices.
    clean: list[float] = []
    detector_t: list[float] = []
    naive_t: list[float] = []
    for _ in range(5):
        clean += time_each(screen, msgs, 5)
        detector_t += time_each(detector.score, msgs, 2)
        naive_t += time_each(lambda m: naive.findall(m.lower()), msgs[:12], 1)

    median = statistics.median(clean)
    naive_median = statistics.median(naive_t)
    ratio = naive_median / median
    detector_ratio = statistics.median(detector_t) / median
    result = {
        "rules": rule_count,
        "rules_lexicon_and_crisis": len(lexicon) + len(crisis),
        "rules_synthetic": len(own),
        "compiled_keys": pipeline.ruleset.size,
        "build_seconds": round(build_s, 3),
        "message_chars": MESSAGE_LENGTH,
        "pipeline_median_us": round(median, 1),
        "pipeline_p95_us": round(p95(clean), 1),
        "pipeline_with_hits_median_us": round(statistics.median(with_hit), 1),
        "pipeline_with_hits_p95_us": round(p95(with_hit), 1),
        "pipeline_urdu_median_us": round(statistics.median(urdu_t), 1),
        "pipeline_urdu_p95_us": round(p95(urdu_t), 1),
        "naive_median_us": round(naive_median, 1),
        "ratio_naive_over_pipeline": round(ratio, 1),
        "detector_median_us": round(statistics.median(detector_t), 1),
        "detector_p95_us": round(p95(detector_t), 1),
        "pipeline_with_detector_median_us": round(statistics.median(with_detector_t), 1),
        "ratio_detector_over_pipeline": round(detector_ratio, 2),
        "context_median_under_100us": median < CONTEXT_MEDIAN_US,
        "bound_detector_ratio_at_most_1x": "pass" if detector_ratio <= BOUND_DETECTOR_RATIO else "FAIL",
        "bound_ratio_at_least_20x": "pass" if ratio >= BOUND_RATIO else "FAIL",
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
