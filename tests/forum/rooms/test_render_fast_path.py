"""Room messages skip the Markdown parser for plain text (`writing.render_chat_line`): the fast path
must give exactly what `render_markdown` gives, for every text it takes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from forum.rendering import render_markdown
from forum.services.writing import PLAIN_LINE as _PLAIN
from forum.services.writing import render_chat_line as render_message

ALPHABET = "ab Zz09 ,?!'.:/@#*_-<>&\\\"`~[]()\n\t" + "آپکیسیہیں" + "\u064e\u200b\u00a0"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_the_fast_path_renders_what_markdown_renders(text):
    assert render_message(text) == render_markdown(text)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="aZ09 ,?!'.\u0622\u06cc\u0660", min_size=1, max_size=30))
def test_texts_near_the_fast_path(text):
    """Mostly texts the fast path takes (or nearly: a stray full stop or space)."""
    assert render_message(text) == render_markdown(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
def test_any_unicode_text(text):
    assert render_message(text) == render_markdown(text)


def test_plain_chat_lines_take_the_fast_path():
    for text in ("fanout 12 probe, salaam", "it's ok? yes!", "آپ کیسی ہیں", "I am here.",
                 "Thank you. See you tomorrow."):
        assert _PLAIN.fullmatch(text), text
        assert render_message(text) == render_markdown(text)
    for text in ("1. a list", "example.com", "a *b*", "<b>", "a\nb", " lead", "trail ",
                 "_x_", "mail@x", "http://x"):
        assert not _PLAIN.fullmatch(text), text
