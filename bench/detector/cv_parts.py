"""Cross-validation by part: how the harm model does on project text it was not fitted on.

Why: the threat and coercion texts of ``bench/moderation_eval/harm/`` are written in parts, one
round after another; a fresh part is the closest thing to a harasser's next message. For each
harm part this fits the harm model (``train.train_harm``: threats and coercion against the
project's look-alikes, reports and crisis texts and the normal tweets of RUHSOLD and Davidson)
on everything but that part (never the bounded held-out parts), scores the left-out part at
the model's per-language thresholds and prints what it flags per category and language, alone
and together with the current rules.

The rules column is *not* a fresh measure: the rules were tuned on every part printed here. The
detector column is: its part was out of the fit. Run: ``.venv/bin/python
bench/detector/cv_parts.py`` (about 15 s a part on one core); writes
``bench/detector/CV_PARTS.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import train as T  # noqa: E402

from moderation.domain.detector import AbuseDetector  # noqa: E402
from moderation.domain.pipeline import Pipeline  # noqa: E402

OUT = HERE / "CV_PARTS.md"
HARM = T.EVAL / "harm"


def main(argv: list[str] | None = None) -> int:
    """Fit once per left-out harm part and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--background", type=float, default=T.HarmParams().background_weight)
    parser.add_argument("--parts", nargs="*", default=None)
    parser.add_argument("--dump", type=Path, default=None, help="write every score as JSON lines")
    args = parser.parse_args(argv)
    params = T.HarmParams(background_weight=args.background)
    thresholds = dict(params.thresholds)
    rules = Pipeline.build()
    bounded = T.bounded_parts()
    parts = args.parts or sorted(p.stem for p in HARM.glob("*.jsonl") if f"harm/{p.stem}" not in bounded)
    # counts[(category, language)] = [n, detector, rules, either]
    total: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    lines = [f"# Harm model, cross-validated by part (background weight {args.background})", "",
             "Written by `bench/detector/cv_parts.py`. Each row: the harm part left out of the fit; "
             f"the harm model at its thresholds {thresholds}. `rules` is the current rule pipeline "
             "(tuned on these parts: not a fresh measure).", "",
             "| part | category | n | harm model (fresh) | rules (seen) | rules or model |",
             "| --- | --- | --- | --- | --- | --- |"]
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    for part in parts:
        texts, labels, weights, k = T.harm_training_data(params, frozenset({f"harm/{part}"}))
        fitted = T.fit_harm(texts, labels, weights, k, params)
        det = AbuseDetector(T.export(fitted, 0.5, {}))
        counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for line in (HARM / f"{part}.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            cat = row["category"]
            if cat not in T.HARM_LABELS:
                continue
            score = det.score(row["text"])
            if dump is not None:
                dump.write(json.dumps({"part": part, "category": cat, "language": row["language"],
                                       "guessed": score.language, "score": score.score,
                                       "text": row["text"]}, ensure_ascii=False) + "\n")
            d = score.score >= thresholds.get(score.language, 1.0)
            v = rules.screen(row["text"])
            r = v.action in ("flag", "hold", "block") or v.crisis
            for key in ((cat, "all"), (cat, row["language"])):
                for c in (counts[key], total[key]):
                    c[0] += 1
                    c[1] += d
                    c[2] += r
                    c[3] += d or r
        for (cat, lang), (n, d, r, e) in sorted(counts.items()):
            if lang == "all":
                lines.append(f"| {part} | {cat} | {n} | {d} ({100 * d / n:.0f} %) | "
                             f"{r} ({100 * r / n:.0f} %) | {e} ({100 * e / n:.0f} %) |")
        print(lines[-1], file=sys.stderr, flush=True)
    lines += ["", "All parts together, per language:", "",
              "| category | language | n | harm model (fresh) | rules (seen) | rules or model |",
              "| --- | --- | --- | --- | --- | --- |"]
    for (cat, lang), (n, d, r, e) in sorted(total.items()):
        lines.append(f"| {cat} | {lang} | {n} | {d} ({100 * d / n:.1f} %) | "
                     f"{r} ({100 * r / n:.1f} %) | {e} ({100 * e / n:.1f} %) |")
    report = "\n".join(lines) + "\n"
    OUT.write_text(report, encoding="utf-8")
    sys.stdout.write(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
