"""Spelling variants fold *towards* lexicon entries, never creating new ones (issue #13): no word
of a large benign corpus (RUHSOLD task 1's normal tweets, Davidson's "neither" class) is folded
onto a slur whose spelling it does not already hold, beyond the reviewed list below."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pytest

from moderation.domain.normalize import normalize
from moderation.domain.pipeline import Pipeline, _lexicon_rules
from moderation.domain.rules import match_key

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "bench" / "detector"))
import train as T  # noqa: E402

#: Words of the benign corpora that do fold onto an entry of another spelling, reviewed one by
#: one. All but one are spellings of the slur itself, in tweets labelled normal (RUHSOLD's
#: labels are not perfect): folding them is the point of the phonetic key.
SLUR_SPELLINGS = frozenset({
    "beghairat", "begairat", "bhenchod", "gashti", "randiyon", "bharwe", "kaminy", "phudi",
    "madharchod",
})
#: Still open: "loon" is an English word ("a loon") and the Urdu verb ("le loon") that the
#: phonetic key folds onto the vulgar "lun". Spared before a verb stem or "gi"; alone it is
#: flagged (queued, never held or blocked). Per-token language awareness is what removes it.
OPEN = frozenset({"loon"})


def _benign_words() -> set[str]:
    words: set[str] = set()
    for split in ("train", "test"):
        path = T.RUHSOLD / f"task_1_{split}.tsv"
        with path.open(encoding="utf-8") as f:
            for row in csv.reader(f, delimiter="\t"):
                if len(row) >= 2 and row[-1].strip() == "1":  # 1: normal (label_definitions)
                    words.update(re.findall(r"[a-z]{3,}", row[0].lower()))
    with T.DAVIDSON.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row.get("class") == "2":  # neither hate speech nor offensive
                words.update(re.findall(r"[a-z]{3,}", row["tweet"].lower()))
    return words


def test_no_benign_word_folds_onto_a_slur_it_does_not_spell() -> None:
    if not (T.RUHSOLD / "task_1_train.tsv").exists() or not T.DAVIDSON.exists():
        pytest.skip("RUHSOLD and Davidson data not present (../shared/data)")
    pipeline = Pipeline.build()
    spellings: dict[str, set[str]] = {}  # every spelling a lexicon entry lists, as a key
    for rule in _lexicon_rules():
        spellings.setdefault(rule.id, set()).add(
            "*" if rule.pattern.endswith("*") else match_key(normalize(rule.pattern).text).strip())
    folded = set()
    for word in _benign_words():
        key = match_key(normalize(word).text).strip()
        for reason in pipeline.screen(word).reasons:
            listed = spellings.get(reason.source)
            if listed is not None and "*" not in listed and key not in listed:
                folded.add(word)
    assert folded <= SLUR_SPELLINGS | OPEN, sorted(folded - SLUR_SPELLINGS - OPEN)
    assert "khooti" not in folded  # a peg, which the "kh" -> "k" rewrite once made "kutti"
