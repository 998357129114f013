"""CPU cost of the worst texts we could craft, through rendering and screening (issue #12).

Why: every post, edit and room message is rendered (Markdown, then bleach) and screened (the
moderation pipeline) on the server's one process; 20 KB of crafted Markdown used to cost about
a second of CPU there. `forum/rendering.py` bounds the work per text; this benchmark looks for
the texts that cost most within those bounds and checks the worst stays under 50 ms.

The generator: about sixty crafted units (deep block quotes, nested lists, runs of brackets,
emphasis and backticks, wide tables, entities, bare links and e-mail addresses, headings,
fences, Urdu text, ...). Each is tried (1) repeated to the body maximum of 20,000 characters
and (2) repeated up to the renderer's markup bound and padded to 20,000 characters with prose,
links or Urdu, which is the most a text can carry and still be rendered as Markdown; then
seeded random mixes of units at the bound. Every text goes through `render_markdown` and
`Pipeline.screen` (shipped lexicons, the learned detector, twenty ordinary regex rules), timed
as CPU time of this thread (`time.thread_time`), the best of three (as `timeit` does: the
machine is shared, and the figure should be the text's cost, not a neighbour's). Prints JSON: the worst
figure, the five worst texts and the bound; `bench/run_all.py` reads its `checks`.

Run: ``.venv/bin/python bench/bench_text_cost.py``.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forum import rendering  # noqa: E402
from forum.rendering import render_markdown  # noqa: E402
from moderation.domain.pipeline import Pipeline, RuleSpec  # noqa: E402
from moderation.services.rules import DEFAULT_ABUSE_THRESHOLDS  # noqa: E402

BODY_MAX = 20_000
BOUND_MS = 50.0
RANDOM_MIXES = 120
SEED = 12

#: Crafted units: each is repeated, alone or mixed with others.
UNITS: dict[str, str] = {
    "quote_run": ">", "quote_spaced": "> ", "quote_item": "> a\n", "quote_list": "> - ",
    "list_quote": "- > ", "dash_item": "- a\n", "dash_run": "- ", "number_item": "1. a\n",
    "indent_item": "  - a\n", "plus_star": "+ * ", "brackets": "[", "close_brackets": "]",
    "bracket_pair": "[]", "link_open": "[a](", "empty_link": "[](", "image_open": "![",
    "image": "![a](b) ", "link": "[a](http://b.co) ", "link_title": '[a](b "c") ',
    "ref_link": "[a][b]", "angle_link": "[a](<", "bracket_star": "[*", "star_under": "*_",
    "star_a": "*a ", "strong_word": "**a** ", "em_word": "_a_ ", "stars": "*", "unders": "_",
    "tilde": "~~a", "tildes": "~", "backtick": "`", "code_span": "`a", "code_word": "`a` ",
    "fence": "```\n", "tilde_fence": "~~~\n", "code_indent": "    a\n", "table_cell": "|a",
    "table_row": "|a|b|c|\n|-|-|-|\n", "pipe": "|", "heading": "# a\n", "setext": "a\n=\n",
    "rule": "***\n", "lt": "<", "gt_amp": "&>", "quote_char": '"', "entity": "&amp;",
    "entity_num": "&#x1F600;", "entity_bad": "&#xZZ;", "autolink": "<http://a.b>",
    "url": "http://a.co ", "www": "www.a.co ", "mail": "a@b.co ", "dots": "a.b",
    "backslash": "\\", "escaped": "\\*", "html_block": "<div>\n", "blank_lines": "a\n\n",
    "hard_break": "a  \n", "mixed": "> 1. - *[`", "nested_emphasis": "***a",
    "carriage_return": "\r", "nul": "\x00", "zero_width": "a\u200b", "emoji": "\U0001f600",
    "intraword": "a_b ", "smiley": ":) ", "numeric_ref": "&#0;", "apostrophe": "'",
}

PADDING: dict[str, str] = {
    "prose": "I am scared he will find me again, my sister says I should tell someone. ",
    "urdu": "میں بہت پریشان ہوں، وہ مجھے روز تنگ کرتا ہے اور میں ڈر گئی ہوں۔ ",
    "roman": "mujhe samajh nahi aa raha kya karoon, woh har roz message karta hai. ",
    "links": "see https://example.org/help and www.example.com or write to a@example.org ",
    "digits": "call 0311-7786264 or 0300 1234567 cnic 35202-1234567-1 ",
}

#: Moderators' regex rules of the kind they write (see tests/moderation/domain/test_regex_budget.py).
REGEX_RULES = [
    r"\s+$", r"\w+\d", r"\w+\s*$", r"\w+[0-9]{2}", r".*kill.*you", r"\w+@\w+\.com",
    r"0?3\d{2}[- ]?\d{7}", r"k+i+l+\s*(kar|kr)", r"gr[ae]y\s*vans?", r"(call|text)\s+me\s+at",
    r"(tumhari|teri)\s+(photo|tasveer)", r"\d{5}-\d{7}-\d", r"meet\s+(me\s+)?at\s+\w+",
    r"https?://\S+", r"bit\.ly/\w+", r"jaan\s+se\s+maar", r"send\s+nudes?",
    r"acid\s+(phenk|throw)", r"(ma+r|maa?r)\s+d(e|o|ungi?)", r"\d{4}\s?\d{7}",
]


def _fit(unit: str, size: int = BODY_MAX) -> str:
    return (unit * (size // max(1, len(unit)) + 1))[:size]


def _at_bound(units: list[str], padding: str) -> str:
    """``units`` in turn until the renderer's markup bound, then ``padding`` to 20,000 chars."""
    markup = rendering._MARKUP
    parts: list[str] = []
    count = length = 0
    i = 0
    while True:
        unit = units[i % len(units)]
        cost = len(markup.findall(unit))
        if count + cost > rendering.MAX_MARKUP or length + len(unit) > BODY_MAX or i > BODY_MAX:
            break
        parts.append(unit)
        count += cost
        length += len(unit)
        i += 1
    text = "".join(parts) + "\n\n"
    room = BODY_MAX - len(text)
    # Padding may carry markup of its own (links, '@'): keep the whole text within the bound.
    pad = _fit(padding, max(0, room))
    while pad and len(markup.findall(text + pad)) > rendering.MAX_MARKUP:
        pad = pad[: len(pad) * 3 // 4]
    return text + pad


def corpus() -> list[tuple[str, str]]:
    """Every crafted text: (name, text)."""
    texts: list[tuple[str, str]] = []
    for name, unit in UNITS.items():
        texts.append((f"{name} x20000", _fit(unit)))
        for pad_name, pad in PADDING.items():
            texts.append((f"{name} at bound + {pad_name}", _at_bound([unit], pad)))
    depth = rendering.MAX_DEPTH - 1
    texts.append(("nested quotes at depth", "".join(">" * d + " a\n" for d in range(depth))))
    texts.append(("nested lists at depth", "".join("  " * d + "- a\n" for d in range(depth))))
    rng = random.Random(SEED)
    names = list(UNITS)
    for _ in range(RANDOM_MIXES):
        picked = rng.sample(names, rng.randint(2, 4))
        pad_name = rng.choice(list(PADDING))
        texts.append((f"mix {'+'.join(picked)} + {pad_name}",
                      _at_bound([UNITS[n] for n in picked], PADDING[pad_name])))
    return [(name, text[:BODY_MAX]) for name, text in texts]


def _cpu_ms(fn, *args) -> float:  # type: ignore[no-untyped-def]
    started = time.thread_time()
    fn(*args)
    return (time.thread_time() - started) * 1000


def main() -> None:
    """Measure every crafted text; print the figures as JSON."""
    rules = [RuleSpec(f"rule:{i}", p, "regex", "flag") for i, p in enumerate(REGEX_RULES)]
    pipeline = Pipeline.build(rules, abuse_threshold=DEFAULT_ABUSE_THRESHOLDS)
    pipeline.screen("warm up")
    render_markdown("*warm* up")
    measured = []
    for name, text in corpus():
        renders, screens = [], []
        for _ in range(3):
            renders.append(_cpu_ms(render_markdown, text))
            screens.append(_cpu_ms(pipeline.screen, text))
        render, screen = min(renders), min(screens)
        measured.append({"text": name, "chars": len(text), "render_ms": round(render, 2),
                         "screen_ms": round(screen, 2), "total_ms": round(render + screen, 2)})
    measured.sort(key=lambda m: m["total_ms"], reverse=True)
    worst = measured[0]
    ok = worst["total_ms"] <= BOUND_MS
    result = {
        "texts": len(measured),
        "max_ms": worst["total_ms"],
        "max_render_ms": max(m["render_ms"] for m in measured),
        "max_screen_ms": max(m["screen_ms"] for m in measured),
        "median_ms": round(statistics.median(m["total_ms"] for m in measured), 2),
        "worst": measured[:5],
        "bounds": {"MAX_MARKUP": rendering.MAX_MARKUP, "MAX_LINKISH": rendering.MAX_LINKISH,
                   "MAX_TOKENS": rendering.MAX_TOKENS, "MAX_DEPTH": rendering.MAX_DEPTH},
        "bound_max_at_most_50ms": "pass" if ok else "FAIL",
        "checks": [{"name": "text_cost.max_ms", "value": worst["total_ms"],
                    "bound": f"<= {BOUND_MS:g}", "ok": ok}],
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
