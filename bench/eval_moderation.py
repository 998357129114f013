"""Evaluate the moderation pipeline on the project's labelled set (and RUHSOLD's test split).

Why: the lexicons and the normaliser are tuned by people; this keeps them honest. The labelled
set (``bench/moderation_eval/cases.tsv``) was written by hand before looking at the output, and
labels are never changed to fit it. Run: ``.venv/bin/python bench/eval_moderation.py``; prints
the figures and writes ``bench/moderation_eval/RESULTS.md``.

Scoring:

* a case is *positive* when its expected action is not ``allow`` (``crisis`` included); the
  pipeline *flags* a case when its action is not ``allow`` or it raised ``crisis``;
* precision and recall are over that binary decision, per language and per category;
* *exact* means the action itself matched (for ``crisis``: crisis raised and nothing blocked);
* evasion recall is recall on the cases marked ``is_evasion``; the false-positive rate on benign
  support talk is over the expected-``allow`` cases of the benign, medical, self-defence, names
  and quote categories; ``quotes blocked`` counts reports of abuse that were blocked (policy: 0).

Crisis (issue #14), on ``bench/moderation_eval/crisis/`` (``heldout.jsonl`` written before the
detector, ``dev.jsonl`` used to tune it): a crisis text *gets help lines* when the screener's
screening of the verdict carries ``resources``; it is *blocked* when the screening's status is
``blocked``; a benign text is *alerted* when it raised crisis. On the held-out part the bounds
are: every crisis text gets help lines, none is blocked (also with a slur appended), and support
talk about crisis is alerted at most 5 % of the time. Any FAIL makes the script exit 1.

Only the newest held-out part of each set is bounded: ``HARM_BOUNDED_PART`` and
``CRISIS_BOUNDED_PART`` below, the one place each is named. It was committed before the rules it
measures were changed, and its misses are not read while tuning. Every other ``heldout*.jsonl``
and ``dev*.jsonl`` file in the set's folder is found on disk and printed as *spent* or
*development* (their misses were read). Starting a round is therefore: add the new file, change
the constant, add the README row. When the bounded file is not there yet, the script says so and
exits 1 (no bound was checked, which is not a pass). The procedure is in
``bench/moderation_eval/harm/README.md``.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moderation.domain.pipeline import Pipeline, Verdict  # noqa: E402

CASES = ROOT / "bench" / "moderation_eval" / "cases.tsv"
RESULTS = ROOT / "bench" / "moderation_eval" / "RESULTS.md"
RUHSOLD_TEST = Path("/work/shared/data/ruhsold/task_1_test.tsv")
BENIGN_CATEGORIES = {"benign", "medical", "self_defence", "names", "quote"}
HARM_DIR = ROOT / "bench" / "moderation_eval" / "harm"
HARM_CATEGORIES = ("threat", "coercion", "personal_info")
HARM_BOUND_CAUGHT = 0.95  # each harmful category, held-out part
HARM_BOUND_BENIGN_QUEUED = 0.02  # benign look-alikes falsely queued, held-out part
QUEUED = {"flag", "hold", "block"}
# The bounded parts: written before the current rules and never run before them. Each round
# changes only these two names (and adds the file and the README rows).
HARM_BOUNDED_PART = "heldout16"
CRISIS_BOUNDED_PART = "heldout_o"


def _part_order(name: str) -> tuple[int, int, str]:
    """Held-out parts newest first, then development parts newest first."""
    kind = 0 if name.startswith("heldout") else 1
    tail = name.removeprefix("heldout").removeprefix("dev").lstrip("_")
    rank = int(tail) if tail.isdigit() else (ord(tail) - ord("a") + 2 if len(tail) == 1 else 1)
    return (kind, -rank, name)


def parts_of(folder: Path, bounded: str) -> list[str]:
    """Every part in ``folder`` (``heldout*.jsonl``, ``dev*.jsonl``), the bounded one first."""
    names = {p.stem for p in folder.glob("*.jsonl") if p.stem.startswith(("heldout", "dev"))}
    return sorted(names, key=lambda n: (n != bounded, *_part_order(n)))


def part_title(part: str, bounded: str) -> str:
    """How a part is labelled in the report."""
    if part == bounded:
        return "held-out, newest part (bounds apply)"
    if part.startswith("heldout"):
        return "held-out, spent (its first run is in the README; its misses were seen)"
    return "development (tuned on)"


def missing_part_lines(folder: Path, bounded: str) -> list[str]:
    """The report's words when the bounded part is not in the tree."""
    return ["", f"**Bounded part `{folder.name}/{bounded}.jsonl` is not in the tree**: no bound "
            "of this set was checked (exit status 1). Add the file, or point the constant in "
            "`bench/eval_moderation.py` at the newest part.", ""]


@dataclass(frozen=True)
class Case:
    """One labelled text."""

    text: str
    language: str
    expected: str
    category: str
    is_evasion: bool


@dataclass
class Tally:
    """Binary confusion counts plus exact-action matches."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    exact: int = 0

    def add(self, expected_pos: bool, predicted_pos: bool, exact: bool) -> None:
        """Count one case."""
        if expected_pos and predicted_pos:
            self.tp += 1
        elif expected_pos:
            self.fn += 1
        elif predicted_pos:
            self.fp += 1
        else:
            self.tn += 1
        self.exact += exact

    @property
    def n(self) -> int:
        """Number of cases."""
        return self.tp + self.fp + self.fn + self.tn

    def precision(self) -> float | None:
        """TP / (TP + FP), None when nothing was flagged."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    def recall(self) -> float | None:
        """TP / (TP + FN), None when there are no positives."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def load_cases(path: Path = CASES) -> list[Case]:
    """Read the labelled TSV."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        return [
            Case(r["text"], r["language"], r["expected_action"], r["category"], r["is_evasion"] == "1")
            for r in reader
        ]


def flagged(v: Verdict) -> bool:
    """Did the pipeline do anything with this text?"""
    return v.action != "allow" or v.crisis


def exact_match(case: Case, v: Verdict) -> bool:
    """Did the pipeline take exactly the expected action?"""
    if case.expected == "crisis":
        return v.crisis and v.action != "block"
    return v.action == case.expected and not (v.crisis and case.category != "self_harm")


def fmt(x: float | None) -> str:
    """A ratio as a percentage, or a dash."""
    return "–" if x is None else f"{100 * x:.1f} %"


def ruhsold_scores(pipeline: Pipeline) -> dict[str, float] | None:
    """Precision, recall, F1 of 'not allowed' against RUHSOLD task 1 test (0 = abusive)."""
    if not RUHSOLD_TEST.exists():
        return None
    tp = fp = fn = 0
    n = 0
    for line in RUHSOLD_TEST.read_text(encoding="utf-8").splitlines():
        if "\t" not in line:
            continue
        text, label = line.rsplit("\t", 1)
        abusive = label.strip() == "0"
        pred = pipeline.screen(text).action != "allow"
        n += 1
        tp += abusive and pred
        fp += (not abusive) and pred
        fn += abusive and not pred
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"n": n, "precision": p, "recall": r, "f1": f1}


CRISIS_DIR = ROOT / "bench" / "moderation_eval" / "crisis"
CRISIS_LEVELS = ("imminent", "high", "moderate", "none")
SUPPORT_ALERT_BOUND = 0.05
# A slur the shipped lexicon blocks: crisis text must not be refused whatever else it holds.
BLOCKED_WORD = "you stupid bitch"


def _risk(v: Verdict) -> str:
    for r in v.reasons:
        if r.code.startswith("crisis") and r.source.startswith("crisis:"):
            return r.source.rsplit(":", 1)[-1]
    return "moderate" if v.crisis else "none"


def crisis_section(pipeline: Pipeline, part: str, bounded: bool) -> tuple[list[str], bool]:
    """Score one part of the crisis set; lines of Markdown, and whether every bound held."""
    from moderation.screener import ModerationScreener  # the screener adds help lines

    screener = ModerationScreener()
    rows = [json.loads(line) for line in (CRISIS_DIR / f"{part}.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    crisis = [r for r in rows if r["expected"] != "none"]
    benign = [r for r in rows if r["expected"] == "none"]
    confusion: dict[tuple[str, str], int] = defaultdict(int)
    per_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    helped = blocked = blocked_with_slur = 0
    misses: list[tuple[dict[str, object], str]] = []
    for r in crisis:
        v = pipeline.screen(r["text"])
        s = screener.screening_of(v)
        slur = screener.screening_of(pipeline.screen(r["text"] + " " + BLOCKED_WORD))
        got = _risk(v)
        confusion[(r["expected"], got)] += 1
        helped += bool(s.resources)
        blocked += s.status == "blocked"
        blocked_with_slur += slur.status == "blocked" or not slur.resources
        lang = r["language"] + (" (code-mixed)" if r.get("mixed") else "")
        for key in (r["language"], lang) if r.get("mixed") else (lang,):
            per_lang[key][0] += bool(s.resources)
            per_lang[key][1] += 1
        if got != r["expected"]:
            misses.append((r, got))
    alerts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in benign:
        v = pipeline.screen(r["text"])
        got = _risk(v)
        confusion[("none", got)] += 1
        alerts[r["category"]][0] += v.crisis
        alerts[r["category"]][1] += 1
        if v.crisis:
            misses.append((r, got))
    support_alerted, support_n = alerts.get("support", [0, 0])
    all_alerted = sum(a for a, _ in alerts.values())
    recall = helped / len(crisis) if crisis else 1.0
    support_rate = support_alerted / support_n if support_n else 0.0
    checks = [
        (f"crisis texts given help lines: {helped}/{len(crisis)} ({fmt(recall)})", "= 100 %",
         helped == len(crisis)),
        (f"crisis texts blocked: {blocked}", "= 0", blocked == 0),
        (f"crisis texts blocked or left without help lines when a slur is appended: "
         f"{blocked_with_slur}", "= 0", blocked_with_slur == 0),
        (f"support talk about crisis alerted: {support_alerted}/{support_n} ({fmt(support_rate)})",
         "≤ 5 %", support_rate <= SUPPORT_ALERT_BOUND),
    ]
    lines = ["", f"## Crisis detection, `{part}.jsonl` ({len(crisis)} crisis, {len(benign)} benign)"
             f" — {part_title(part, CRISIS_BOUNDED_PART)}", ""]
    ok = True
    lines += ["| measure | value | bound | result |", "| --- | --- | --- | --- |"]
    for text, bound, passed in checks:
        result = ("PASS" if passed else "FAIL") if bounded else "(spent/dev: not bounded)"
        ok = ok and (passed or not bounded)
        lines.append(f"| {text} | {bound} | {result} |")
    lines.append(f"| all benign look-alikes alerted: {all_alerted}/{len(benign)} "
                 f"({fmt(all_alerted / len(benign) if benign else None)}) | – | – |")
    lines += ["", "Help lines (recall) per language:", "", "| language | recall |", "| --- | --- |"]
    for lang in sorted(per_lang):
        got_n, n = per_lang[lang]
        lines.append(f"| {lang} | {got_n}/{n} ({fmt(got_n / n)}) |")
    lines += ["", "Benign look-alikes alerted, per category:", "", "| category | alerted |",
              "| --- | --- |"]
    for cat in sorted(alerts):
        a, n = alerts[cat]
        lines.append(f"| {cat} | {a}/{n} |")
    lines += ["", "Risk confusion (rows: expected, columns: detected):", "",
              "| expected \\ detected | " + " | ".join(CRISIS_LEVELS) + " |",
              "| --- |" + " --- |" * len(CRISIS_LEVELS)]
    for exp in CRISIS_LEVELS:
        lines.append(f"| {exp} | " + " | ".join(str(confusion[(exp, g)]) for g in CRISIS_LEVELS)
                     + " |")
    exact = sum(confusion[(e, e)] for e in CRISIS_LEVELS)
    lines.append(f"\nExact level: {exact}/{len(rows)} ({fmt(exact / len(rows))}).")
    lines += ["", "Misses (level differs, or a benign text alerted):", "",
              "| expected | detected | language | category | text |", "| --- | --- | --- | --- | --- |"]
    for r, got in misses:
        text = str(r["text"]).replace("|", "\\|")
        lines.append(f"| {r['expected']} | {got} | {r['language']} | {r['category']} | {text} |")
    return lines, ok


def deployed_pipeline() -> Pipeline:
    """The pipeline as posting runs it: lexicons, structured detectors, and the learned
    detectors (abuse model at the default per-language thresholds, harm model at its own)."""
    from moderation.services.rules import DEFAULT_ABUSE_THRESHOLDS

    return Pipeline.build(abuse_threshold=DEFAULT_ABUSE_THRESHOLDS)


def harm_section(pipeline: Pipeline) -> tuple[list[str], bool]:
    """Threats, coercion and personal information (issue #13): figures, confusion, misses, bounds.

    Scores ``HARM_BOUNDED_PART`` (written and committed before the current rules; the bounds
    apply to it), the spent earlier held-out parts (see the README) and the development parts. A
    text is *caught* (or *queued*) when the pipeline blocks, holds or flags it, or raises crisis.
    Every figure is the deployed pipeline's (``deployed_pipeline``: the learned detectors
    included; they only flag); each part also prints the rules alone, for comparison.
    """
    rules_only = pipeline
    pipeline = deployed_pipeline()
    lines = ["", "## Threats, coercion, personal information (issue #13)", "",
             "Figures are the deployed pipeline's: lexicons, structured detectors and the learned "
             "detectors (the abuse model and the harm model, which only flag). `rules alone` is "
             "the same without the learned detectors.", ""]
    ok = True
    actions = ("allow", "censor", "flag", "hold", "block")
    if not (HARM_DIR / f"{HARM_BOUNDED_PART}.jsonl").exists():
        lines += missing_part_lines(HARM_DIR, HARM_BOUNDED_PART)
        ok = False
    for part in parts_of(HARM_DIR, HARM_BOUNDED_PART):
        path = HARM_DIR / f"{part}.jsonl"
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        confusion: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(actions, 0))
        blocked_reports: list[str] = []
        misses: list[tuple[dict[str, str], Verdict]] = []
        alone: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in rows:
            r = rules_only.screen(row["text"])
            alone[row["category"]][0] += r.action in QUEUED or r.crisis
            alone[row["category"]][1] += 1
            v = pipeline.screen(row["text"])
            queued = v.action in QUEUED or v.crisis
            cat, lang = row["category"], row["language"]
            for key in ((cat, lang), (cat, "all")):
                counts[key][0] += queued
                counts[key][1] += 1
            confusion[cat][v.action] += 1
            if cat == "victim_report" and v.action == "block":
                blocked_reports.append(row["text"])
            wrong = (cat == "benign") == queued if cat != "victim_report" else v.action == "block"
            if wrong or (cat == "victim_report" and not queued):
                misses.append((row, v))
        title = part_title(part, HARM_BOUNDED_PART)
        lines += [f"### {part}.jsonl — {title}", "", "| category | language | n | queued |",
                  "| --- | --- | --- | --- |"]
        for (cat, lang), (q, n) in sorted(counts.items()):
            lines.append(f"| {cat} | {lang} | {n} | {q} ({fmt(q / n)}) |")
        lines += ["", "Rules alone (no learned detector): " + ", ".join(
            f"{cat} {q}/{n}" for cat, (q, n) in sorted(alone.items())) + " queued."]
        lines += ["", "Confusion (rows: category, columns: the pipeline's action):", "",
                  "| category | " + " | ".join(actions) + " |",
                  "| --- |" + " --- |" * len(actions)]
        for cat in sorted(confusion):
            lines.append(f"| {cat} | " + " | ".join(str(confusion[cat][a]) for a in actions) + " |")
        lines += ["", "Misses (harm not queued, benign queued, report blocked or not queued):", ""]
        for row, v in misses:
            text = row["text"].replace("|", "\\|")
            lines.append(f"- `{row['category']}` {row['language']} → {v.action} "
                         f"{','.join(v.codes) or '-'}: {text}")
        if not misses:
            lines.append("- none")
        bounded = part == HARM_BOUNDED_PART
        verdict = (lambda passed: "PASS" if passed else "FAIL") if bounded else (
            lambda passed: "(spent/dev: not bounded)")
        lines += ["", "Bounds (held-out part):" if bounded else "Bound lines (not bounded):", ""]
        for cat in HARM_CATEGORIES:
            q, n = counts.get((cat, "all"), [0, 0])
            rate = q / n if n else 0.0
            passed = n > 0 and rate >= HARM_BOUND_CAUGHT
            ok &= passed or not bounded
            lines.append(f"- {cat} caught {fmt(rate)} (bound ≥ {HARM_BOUND_CAUGHT:.0%}): "
                         f"{verdict(passed)}")
        q, n = counts.get(("benign", "all"), [0, 0])
        rate = q / n if n else 0.0
        passed = rate <= HARM_BOUND_BENIGN_QUEUED and (n > 0 or not bounded)
        ok &= passed or not bounded
        lines.append(f"- benign falsely queued {fmt(rate)} (bound ≤ {HARM_BOUND_BENIGN_QUEUED:.0%}):"
                     f" {verdict(passed)}")
        passed = not blocked_reports
        ok &= passed or not bounded
        lines.append(f"- victims' reports blocked: {len(blocked_reports)} (bound 0): "
                     f"{verdict(passed)}")
        lines.append("")
    return lines, ok


def main() -> int:
    """Score every case, print the tables and write RESULTS.md."""
    pipeline = Pipeline.build()
    cases = load_cases()
    by_lang: dict[str, Tally] = defaultdict(Tally)
    by_cat: dict[tuple[str, str], Tally] = defaultdict(Tally)
    evasion = Tally()
    benign = Tally()
    overall = Tally()
    not_quotes = Tally()
    quotes_spared: list[Case] = []
    quotes_blocked: list[Case] = []
    misses: list[tuple[Case, Verdict]] = []
    for case in cases:
        v = pipeline.screen(case.text)
        pos, pred, ex = case.expected != "allow", flagged(v), exact_match(case, v)
        overall.add(pos, pred, ex)
        if case.category != "quote":
            not_quotes.add(pos, pred, ex)
        elif case.expected != "allow" and v.action == "allow":
            quotes_spared.append(case)
        by_lang[case.language].add(pos, pred, ex)
        by_cat[(case.language, case.category)].add(pos, pred, ex)
        if case.is_evasion:
            evasion.add(pos, pred, ex)
        if case.category in BENIGN_CATEGORIES and case.expected == "allow":
            benign.add(pos, pred, ex)
        if case.category == "quote" and v.action == "block":
            quotes_blocked.append(case)
        if not ex:
            misses.append((case, v))

    lines = ["# Moderation evaluation", ""]
    lines.append(
        f"{len(cases)} hand-written cases (`cases.tsv`), shipped lexicons, no moderator rules. "
        "Generated by `bench/eval_moderation.py`; labels were written before the run and are "
        "never tuned to the output."
    )
    lines += ["", "## Headline", ""]
    lines.append("| measure | value |")
    lines.append("| --- | --- |")
    lines.append(f"| precision (any action) | {fmt(overall.precision())} |")
    lines.append(f"| recall (any action) | {fmt(overall.recall())} |")
    lines.append(f"| exact action | {fmt(overall.exact / overall.n)} |")
    lines.append(f"| recall on evasions ({evasion.n} cases) | {fmt(evasion.recall())} |")
    lines.append(
        f"| false positives on benign support talk ({benign.n} cases) | "
        f"{fmt(benign.fp / benign.n if benign.n else None)} |"
    )
    lines.append(f"| reports of abuse blocked (policy: none) | {len(quotes_blocked)} |")
    lines.append(f"| recall (any action), without the quote category | {fmt(not_quotes.recall())} |")
    lines.append(
        f"| reports of insults received, labelled `flag`, now allowed | {len(quotes_spared)} |"
    )
    lines += [
        "",
        "The `quote` cases labelled `flag` were written under the earlier policy (a report of abuse"
        " received is flagged for review). Issue #8 asks that such a report not be flagged as the"
        " writer's own abuse, so the pipeline now allows a report naming the writer as the target"
        " when the lexicon hit is an insult or harassment (threats stay flagged); those cases count"
        " as misses above. The labels are left as written.",
    ]
    lines += [
        "",
        "## Per language",
        "",
        "| language | n | precision | recall | exact |",
        "| --- | --- | --- | --- | --- |",
    ]
    for lang in sorted(by_lang):
        t = by_lang[lang]
        lines.append(f"| {lang} | {t.n} | {fmt(t.precision())} | {fmt(t.recall())} | {fmt(t.exact / t.n)} |")
    lines += [
        "",
        "## Per language and category",
        "",
        "| language | category | n | precision | recall | flagged benign | exact |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for lang, cat in sorted(by_cat):
        t = by_cat[(lang, cat)]
        lines.append(
            f"| {lang} | {cat} | {t.n} | {fmt(t.precision())} | {fmt(t.recall())} | "
            f"{t.fp} | {fmt(t.exact / t.n)} |"
        )
    ruhsold = ruhsold_scores(pipeline)
    if ruhsold is not None:
        lines += [
            "",
            "## RUHSOLD task 1 test split (Roman Urdu tweets, abusive vs normal)",
            "",
            f"{ruhsold['n']:.0f} tweets; 'abusive' predicted when the action is not `allow`. "
            f"Precision {fmt(ruhsold['precision'])}, recall {fmt(ruhsold['recall'])}, "
            f"F1 {ruhsold['f1']:.3f}. The lexicon is deliberately narrow (threats, slurs, sexual "
            "harassment), so low recall on general Twitter abuse is expected; a learned detector "
            "is meant to cover the rest.",
        ]
    lines += [
        "",
        "## Cases where the action differed",
        "",
        "| expected | got | crisis | language | evasion | text |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for case, v in misses:
        text = case.text.replace("|", "\\|")
        lines.append(
            f"| {case.expected} | {v.action} | {v.crisis} | {case.language} | "
            f"{int(case.is_evasion)} | {text} |"
        )
    crisis_ok = True
    # Only the newest held-out part is bounded: the earlier ones were run, failed and their
    # misses were read, so they are development data now (still scored and printed, marked spent).
    if not (CRISIS_DIR / f"{CRISIS_BOUNDED_PART}.jsonl").exists():
        lines += missing_part_lines(CRISIS_DIR, CRISIS_BOUNDED_PART)
        crisis_ok = False
    for part in parts_of(CRISIS_DIR, CRISIS_BOUNDED_PART):
        part_lines, part_ok = crisis_section(pipeline, part, part == CRISIS_BOUNDED_PART)
        lines += part_lines
        crisis_ok = crisis_ok and part_ok
    lines += ["", f"Crisis bounds on the held-out part: {'PASS' if crisis_ok else 'FAIL'}"]
    harm_lines, harm_ok = harm_section(pipeline)
    lines += harm_lines
    report = "\n".join(lines) + "\n"
    RESULTS.write_text(report, encoding="utf-8")
    sys.stdout.write(report)
    for folder, part in ((CRISIS_DIR, CRISIS_BOUNDED_PART), (HARM_DIR, HARM_BOUNDED_PART)):
        if not (folder / f"{part}.jsonl").exists():
            sys.stderr.write(f"eval_moderation: bounded part {folder.name}/{part}.jsonl is missing: "
                             "its bounds were not checked\n")
    return 0 if crisis_ok and harm_ok else 1


if __name__ == "__main__":
    sys.exit(main())
