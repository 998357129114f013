"""Markdown to safe HTML, plain-text escaping and excerpts: the forum's only HTML producer.

Everything members write (posts, room messages) is Markdown and reaches other members' screens
as HTML. A script smuggled into a post on a forum for women facing harassment could read
their private messages or unmask them, so this module is the one place that makes HTML out of
member text, and the only module in the project that imports bleach. Two layers:

1. markdown-it-py (CommonMark with tables and strikethrough) renders Markdown with raw HTML
   *disabled*: `<b>` typed in a post shows as the text `<b>`. Link destinations are checked
   by `_link_is_safe` (http, https, mailto and relative URLs only); anything else stays as
   plain text. Bare URLs become links when linkify-it-py is installed.
2. bleach then sanitises the result to a small allow-list of tags, keeps only `href` and
   `title` on links, allows only the http, https and mailto schemes (bleach decodes
   entities, whitespace and mixed case before judging), and a filter gives every link
   `rel="nofollow noopener ugc"`.

Decisions:

* Headings: `#` → h3, `##` → h4, `###` → h5, `####` and deeper → h6, so a post never
  outshouts the page's own h1/h2 (thread title, board name).
* Images are never embedded: loading a third-party image would leak every reader's IP
  address to whoever chose the URL (and could track who read a post). `![alt](src)` becomes
  a link to `src` whose text is the alt text (or the URL when the alt text is empty), so the
  reader decides whether to open it.
* Table alignment (`style=`), code-block languages (`class=`) and list start numbers are
  dropped: no attributes beyond href, rel and title leave this module.

Bounded work (issue #12, hole 21): rendering runs on the server's one process for every post,
edit and room message, and 20 KB of crafted Markdown used to cost about a second of CPU
(markdown-it on thousands of delimiters, then bleach's html5lib on thousands of tags and
entities). These bounds keep rendering any text of up to 20,000 characters to about 20 ms,
and rendering plus screening under 50 ms (`bench/bench_text_cost.py` measures the worst
inputs we could craft; `docs/performance.md` has the figure):

* before parsing, at most `MAX_MARKUP` characters that Markdown or HTML escaping work on
  (asterisk, underscore, tilde, brackets, bang, backtick, ``< > & " | # \\`` and line
  breaks), and at most `MAX_LINKISH` bare links (`://`, `www.`, `@`: linkify is slow) —
  past that, bare links stay text (written `[links](...)` still work);
* after parsing, at most `MAX_TOKENS` tokens (elements, their text runs) and nesting (block
  quotes and lists, links in links) at most `MAX_DEPTH` levels deep;
* a text over any bound is shown as **plain text**: every character escaped, paragraphs and
  line breaks kept, no markup — nothing is lost, it just is not formatted. That output is safe
  by construction (`html.escape`), so it skips bleach, whose cost is what the bound avoids.
"""

from __future__ import annotations

import html
import importlib.util
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "LINK_REL",
    "plain_excerpt",
    "render_markdown",
    "render_plain",
]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "br", "strong", "em", "del", "s", "blockquote", "code", "pre",
        "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {"a": frozenset({"href", "title", "rel"})}
ALLOWED_PROTOCOLS: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener ugc"

_HEADING_TAGS = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "h6": "h6"}
# A scheme is letters, digits, + - . before the first colon, if that colon comes before any
# / ? or #. Control characters and spaces are removed first, as browsers do.
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_WHITESPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\r?\n)+|\r\n[ \t]*(?:\r?\n)+")


def _link_is_safe(url: str) -> bool:
    """True for http(s), mailto and relative URLs, judged the way a browser would parse it.

    markdown-it has already decoded entities and percent-encoded what needs it; to stay on the
    safe side we decode entities and percent escapes once more and drop the control and
    invisible characters a browser may ignore inside a scheme (`jav&#x09;ascript:`), so
    `java%09script:` is refused too, although a browser would read it as a relative path.
    """
    compact = _INVISIBLE.sub("", unquote(html.unescape(url)))
    match = _SCHEME.match(compact)
    if match is None:
        return True  # relative: path, query, fragment or //host
    return match.group(1).lower() in ALLOWED_PROTOCOLS


#: Characters Markdown parsing or HTML escaping spend work on; with the lines, at most this many.
MAX_MARKUP = 600
#: Bare URLs and e-mail addresses linkified in one text; past it they stay text.
MAX_LINKISH = 50
#: Tokens markdown-it may produce (block tokens and their inline children) for one text.
MAX_TOKENS = 800
#: Nesting levels (a block quote, a list, its item each add one) a text may reach.
MAX_DEPTH = 16
_MARKUP = re.compile(r'[*_~\[\]!`<>&"|#\\\n]')
_LINKISH = re.compile(r"://|www\.|@")


def _build_markdown(*, linkify: bool) -> MarkdownIt:
    linkify = linkify and _HAS_LINKIFY
    md = MarkdownIt("commonmark", {"html": False, "linkify": linkify, "typographer": False,
                                   "maxNesting": MAX_DEPTH + 4})
    md.enable(["table", "strikethrough"])
    if linkify:
        md.enable("linkify")
    md.validateLink = _link_is_safe  # type: ignore[method-assign]  # markdown-it's documented hook
    return md


_HAS_LINKIFY = importlib.util.find_spec("linkify_it") is not None
_MD = _build_markdown(linkify=True)
_MD_NO_LINKIFY = _build_markdown(linkify=False)


def _image_to_link(image: Token) -> list[Token]:
    """Replace an image token by a link to its source, labelled with its alt text."""
    src = str(image.attrs.get("src", ""))
    alt = "".join(child.content for child in (image.children or []) if child.content)
    label = alt or image.content or src
    attrs: dict[str, str | int | float] = {"href": src}
    title = image.attrs.get("title")
    if title:
        attrs["title"] = title
    opening = Token("link_open", "a", 1, attrs=attrs, markup="image")
    text = Token("text", "", 0, content=label)
    closing = Token("link_close", "a", -1, markup="image")
    return [opening, text, closing]


def _rewrite(tokens: list[Token]) -> list[Token]:
    """Lower heading levels and turn images into links (see the module docstring)."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = _HEADING_TAGS.get(token.tag, "h6")
        if token.children:
            rewritten: list[Token] = []
            for child in token.children:
                if child.type == "image":
                    rewritten.extend(_image_to_link(child))
                else:
                    rewritten.append(child)
            token.children = rewritten
    return tokens


class _LinkFilter(Filter):  # type: ignore[misc]  # bleach ships no types
    """After sanitising: give each link our `rel` (overriding any other) and unwrap links whose
    `href` bleach removed (a disallowed scheme), so no dead `<a>` is left."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        dropping = False
        for token in super().__iter__():
            kind = token.get("type")
            if kind in ("StartTag", "EmptyTag") and token.get("name") == "a":
                attrs = dict(token.get("data") or {})
                if not attrs.get((None, "href")):
                    dropping = True
                    continue
                dropping = False
                attrs[(None, "rel")] = LINK_REL
                token["data"] = attrs
            elif kind == "EndTag" and token.get("name") == "a" and dropping:
                dropping = False
                continue
            yield token


_CLEANER = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes={tag: sorted(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[_LinkFilter],
)


def render_markdown(source: str) -> str:
    """Render member-written Markdown to sanitised HTML that is safe to embed in a page.

    Raw HTML in `source` is shown as text, never interpreted. The result contains only the
    tags in `ALLOWED_TAGS`, links carry only `href`, `title` and `rel="nofollow noopener ugc"`,
    and hrefs are http, https, mailto or relative.

    Work is bounded (module docstring): a text over the bounds is rendered as plain text.
    """
    if not source:
        return ""
    if len(_MARKUP.findall(source)) > MAX_MARKUP:
        return _plain_html(source)
    md = _MD if len(_LINKISH.findall(source)) <= MAX_LINKISH else _MD_NO_LINKIFY
    tokens = md.parse(source, {})
    if _too_big(tokens):
        return _plain_html(source)
    rendered = md.renderer.render(_rewrite(tokens), md.options, {})
    return str(_CLEANER.clean(rendered)).strip()


def _too_big(tokens: list[Token]) -> bool:
    """More tokens than `MAX_TOKENS`, or nesting deeper than `MAX_DEPTH`."""
    count = len(tokens)
    for token in tokens:
        if token.level >= MAX_DEPTH:
            return True
        if token.children:
            count += len(token.children)
            if any(child.level >= MAX_DEPTH for child in token.children):
                return True
    return count > MAX_TOKENS


def _plain_html(source: str) -> str:
    """`source` as escaped text: paragraphs at blank lines, line breaks kept, no markup."""
    paragraphs = _BLANK_LINES.split(source.strip())
    return "\n".join(
        "<p>" + "<br>\n".join(html.escape(line, quote=True) for line in p.splitlines()) + "</p>"
        for p in paragraphs
        if p.strip()
    )


def render_plain(text: str) -> str:
    """Escape plain text (thread titles, handles) for embedding in HTML text or attributes."""
    return html.escape(text or "", quote=True)


def _inline_text(token: Token) -> str:
    """The readable text of an inline token: text, code spans, alt text of images."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append("".join(c.content for c in (child.children or [])))
    return "".join(parts)


def plain_excerpt(source: str, limit: int = 200) -> str:
    """A plain-text excerpt of Markdown (no markup, whitespace collapsed), at most `limit`
    characters, cut at a word boundary with "…" when shortened.

    For report snapshots, notifications and previews, where HTML would be wrong. The result is
    NOT escaped: pass it through `render_plain` before putting it in HTML.
    """
    if limit <= 0 or not source:
        return ""
    pieces: list[str] = []
    # An excerpt needs only the beginning: parse a bounded prefix, without linkify.
    head = source[: max(2_000, limit * 10)]
    if len(_MARKUP.findall(head)) > MAX_MARKUP:
        head = _MARKUP.sub(" ", head)
    for token in _MD_NO_LINKIFY.parse(head, {}):
        if token.type == "inline":
            pieces.append(_inline_text(token))
        elif token.type in ("code_block", "fence"):
            pieces.append(token.content)
    text = _WHITESPACE.sub(" ", " ".join(pieces)).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"
