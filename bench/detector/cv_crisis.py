"""Cross-validation by part for the crisis model: scores on crisis text it was not fitted on.

Why: help lines must reach every woman in crisis, and the parts of
``bench/moderation_eval/crisis/`` were written one round after another, each closer to the next
member's words than any tuned figure. For each crisis part this fits the crisis model
(``train.train_crisis``) on everything but that part (never the bounded held-out parts) and
writes every left-out score, with the scores of ordinary text no fit saw (RUHSOLD's validation
split and Davidson's dev split, their normal tweets), as JSON lines. ``--report`` then prints,
for candidate thresholds, the share of out-of-part crisis texts offered help lines per language
against the share of ordinary tweets and support talk that would be, and how many texts the
rules call a crisis that the model's alert threshold would quiet.

Run: ``.venv/bin/python bench/detector/cv_crisis.py`` (about 20 s a part on one core), then
``--report``; the chosen thresholds go into ``train.CrisisParams``.
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

CRISIS = T.EVAL / "crisis"
DUMP = Path("/tmp/cv_crisis.jsonl")


def fit_without(part: str, params: T.CrisisParams) -> AbuseDetector:
    """The crisis model fitted on everything but ``part``, ready to score."""
    texts, labels, weights, k = T.crisis_training_data(params, frozenset({part}))
    return AbuseDetector(T.export(T.fit_harm(texts, labels, weights, k, params), 0.5, {}))


def fit_and_dump(parts: list[str], out: Path, params: T.CrisisParams) -> None:
    """One fit per left-out part; every score written to ``out``."""
    ru = T.ruhsold_binary("validation")
    dv = T.davidson_split()["dev"]
    ordinary = [t for t, y in zip(ru.texts, ru.labels, strict=True) if y == 0]
    ordinary += [t for t, y in zip(dv.texts, dv.labels, strict=True) if y == 0]
    with out.open("w", encoding="utf-8") as fh:
        for i, part in enumerate(parts):
            det = fit_without(f"crisis/{part}", params)
            for line in (CRISIS / f"{part}.jsonl").read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    score = det.score(row["text"])
                    fh.write(json.dumps({"part": part, "expected": row["expected"],
                                         "category": row["category"], "language": row["language"],
                                         "guessed": score.language, "score": score.raw_score,
                                         "text": row["text"]}, ensure_ascii=False) + "\n")
            if i == 0:  # ordinary text is scored once, by the first fit (none of it is in any fit)
                for text in ordinary:
                    score = det.score(text)
                    fh.write(json.dumps({"part": "ordinary", "expected": "none", "category": "ordinary",
                                         "language": score.language, "guessed": score.language,
                                         "score": score.raw_score}, ensure_ascii=False) + "\n")
            print(f"fitted without {part}", file=sys.stderr, flush=True)
        for half in ("a", "b"):  # everyday forum talk, half left out of each fit
            part = f"ordinary/{half}"
            det = fit_without(part, params)
            for text, _, _ in [r for r in T.ordinary_rows() if r[2] == part]:
                score = det.score(text)
                fh.write(json.dumps({"part": part, "expected": "none", "category": "forum",
                                     "language": score.language, "guessed": score.language,
                                     "score": score.raw_score, "text": text},
                                    ensure_ascii=False) + "\n")


def report(path: Path) -> str:
    """Offer rates per threshold: crisis (per language), support talk, other look-alikes, tweets."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    lines = ["| threshold | crisis helped (en / roman_ur / ur) | support talk | other look-alikes "
             "| ordinary tweets | forum talk |", "| --- | --- | --- | --- | --- | --- |"]
    for t in (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5):
        got: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in rows:
            if r["expected"] != "none":
                key = r["guessed"]
            elif r["category"] in ("support", "ordinary", "forum"):
                key = r["category"]
            else:
                key = "other"
            got[key][0] += r["score"] >= t
            got[key][1] += 1
        crisis = [got[k] for k in ("en", "roman_ur", "ur")]
        cells = " / ".join(f"{a}/{n}" for a, n in crisis)
        helped = sum(a for a, _ in crisis) / max(1, sum(n for _, n in crisis))
        lines.append(f"| {t} | {helped:.1%} ({cells}) | {got['support'][0]}/{got['support'][1]} "
                     f"| {got['other'][0]}/{got['other'][1]} "
                     f"| {got['ordinary'][0] / max(1, got['ordinary'][1]):.1%} "
                     f"| {got['forum'][0]}/{got['forum'][1]} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", type=Path, default=DUMP)
    parser.add_argument("--report", action="store_true", help="only report an existing dump")
    parser.add_argument("--ordinary-weight", type=float, default=T.CrisisParams().ordinary_weight)
    parser.add_argument("--C", type=float, default=T.CrisisParams().C)
    args = parser.parse_args(argv)
    if not args.report:
        bounded = T.bounded_parts()
        parts = sorted(p.stem for p in CRISIS.glob("*.jsonl") if f"crisis/{p.stem}" not in bounded)
        fit_and_dump(parts, args.dump, T.CrisisParams(C=args.C, ordinary_weight=args.ordinary_weight))
    print(report(args.dump))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
