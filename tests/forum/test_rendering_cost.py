"""Rendering does bounded work on any text (issue #12, hole 21): what the bounds do, not timing.

20 KB of crafted Markdown used to cost about a second of CPU. A text past the renderer's
bounds (markup characters, tokens, nesting; see `forum/rendering.py`) is shown as plain,
escaped text with nothing lost; within them it is Markdown as before. The timing is
`bench/bench_text_cost.py`'s (in `make bench`).
"""

from __future__ import annotations

import html
import re

import pytest

from forum.rendering import (
    MAX_DEPTH,
    MAX_LINKISH,
    MAX_MARKUP,
    MAX_TOKENS,
    plain_excerpt,
    render_markdown,
)
from tests.forum.test_rendering import parse_tags, violations

BODY_MAX = 20_000


def fit(unit: str, size: int = BODY_MAX) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def text_of(output: str) -> str:
    """The visible text of rendered HTML (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", output))


CRAFTED = {
    "deep quotes": ">" * BODY_MAX,
    "spaced quotes": fit("> "),
    "nested lists": "".join("  " * d + f"- item {d}\n" for d in range(400))[:BODY_MAX],
    "brackets": "[" * BODY_MAX,
    "link openers": fit("[a]("),
    "image openers": fit("!["),
    "emphasis": fit("*_"),
    "strong words": fit("**a** "),
    "backticks": fit("`a"),
    "backtick runs": "".join("`" * n + " " for n in range(1, 200))[:BODY_MAX],
    "wide table": "|a" * 3000 + "|\n" + "|-" * 3000 + "|\n" + "|b" * 3000 + "|\n",
    "long table": "|a|b|c|\n|-|-|-|\n" + fit("|1|2|3|\n", BODY_MAX - 16),
    "entities": fit("&amp;"),
    "numeric entities": fit("&#x1F600;"),
    "angle brackets": "<" * BODY_MAX,
    "headings": fit("# a\n"),
    "fences": fit("```\n"),
    "bare links": fit("http://a.co "),
    "e-mail addresses": fit("a@b.co "),
}


@pytest.mark.parametrize("name", list(CRAFTED))
def test_crafted_text_renders_bounded_and_safe(name: str) -> None:
    source = CRAFTED[name]
    output = render_markdown(source)
    assert violations(output) == []
    tags = parse_tags(output)
    # Markdown within the token bound, or plain text: paragraphs and line breaks only.
    assert len(tags) <= MAX_TOKENS or {tag for tag, _attrs in tags} <= {"p", "br"}
    assert len(output) <= 6 * len(source) + 100


def test_nesting_beyond_the_limit_becomes_plain_text_with_nothing_lost() -> None:
    source = ">" * (MAX_DEPTH + 20) + " the words at the bottom"
    output = render_markdown(source)
    assert "<blockquote>" not in output
    assert text_of(output) == source


def test_deeply_nested_lists_become_plain_text_with_every_item() -> None:
    source = "".join("  " * d + f"- item {d}\n" for d in range(MAX_DEPTH + 10))
    output = render_markdown(source)
    assert "<ul>" not in output
    assert [f"item {d}" in output for d in range(MAX_DEPTH + 10)] == [True] * (MAX_DEPTH + 10)


def test_nesting_within_the_limit_is_still_markdown() -> None:
    output = render_markdown("> a quote\n>> inside a quote\n\n- a list\n  - inside a list\n")
    assert output.count("<blockquote>") == 2 and output.count("<ul>") == 2


def test_too_much_markup_is_shown_as_escaped_text() -> None:
    source = "Hello **friends**\n\n" + fit("*_", MAX_MARKUP + 2) + "\n\n<script>alert(1)</script>"
    output = render_markdown(source)
    assert parse_tags(output) == [("p", {})] * 3
    assert "&lt;script&gt;" in output and "**friends**" in output
    assert text_of(output).replace("\n", "") == source.replace("\n", "")


def test_line_breaks_and_paragraphs_survive_the_plain_fallback() -> None:
    lines = [f"line {n} with *a star*" for n in range(MAX_MARKUP)]
    output = render_markdown("\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]))
    assert output.startswith("<p>line 0 with *a star*<br>\nline 1")
    assert output.count("<p>") == 2
    assert output.count("<br>") == len(lines) - 2


def test_an_ordinary_long_post_is_still_markdown() -> None:
    paragraph = ("Today I finally told my sister what he has been doing. **She believed me**, "
                 "and we wrote down every date. See [the helpline](https://example.org/help).\n\n")
    source = (paragraph * 60)[:BODY_MAX]
    output = render_markdown(source)
    assert output.count("<strong>") == 60 and output.count("<a ") == 60


def test_many_bare_links_are_left_as_text_but_written_links_still_work() -> None:
    few = render_markdown(" ".join(f"https://example.org/{n}" for n in range(MAX_LINKISH)))
    assert few.count("<a ") == MAX_LINKISH
    many = render_markdown("[help](https://example.org/help) "
                           + " ".join(f"https://example.org/{n}" for n in range(MAX_LINKISH + 1)))
    assert many.count("<a ") == 1 and "https://example.org/7 " in many


def test_a_table_too_big_to_render_stays_readable() -> None:
    small = render_markdown("|a|b|\n|-|-|\n|1|2|\n")
    assert "<table>" in small
    big = render_markdown(CRAFTED["long table"])
    assert "<table>" not in big and "|1|2|3|" in big


def test_an_excerpt_of_a_crafted_text_is_its_beginning() -> None:
    excerpt = plain_excerpt("**Hello** world, " + fit("!["), limit=40)
    assert excerpt.startswith("Hello world,") and len(excerpt) <= 40
