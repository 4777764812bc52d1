"""A saved HTML page → blocks of text, pictures and captions, plus what its metadata says.

The article is the element holding the most paragraph text (link text does not count), widened
to take in the title heading when it sits just above. Menus, sidebars, counters and related-news
boxes go first, by tag and by class/id words listed in ``portal/data/import.toml``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from bs4 import BeautifulSoup, NavigableString, Tag

from portal import dates, vietnamese
from portal.importer.extraction import CAPTION, HEADING, IMAGE, PARA, Block, Hints, person_names, rules

_BLOCKS = {
    "address", "article", "blockquote", "center", "dd", "details", "dl", "dt", "div", "figure",
    "figcaption", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol",
    "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    "body", "html", "caption",
}
_BLOCK_LIST = sorted(_BLOCKS)
_TITLE_TAGS = ["h1", "h2", "h3", "h4", "div", "span", "p", "td", "strong", "b", "font"]
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LINE_BLOCKS = {"p", "blockquote", "pre", "li", "dd", "dt", "figcaption", "address", *_HEADINGS}
_LISTS = {"ul", "ol", "dl", "tbody", "thead", "tr"}
_KEEP = {"html", "body", "main", "article", "form"}
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML collapses these, not no-break spaces
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def read_page(markup: str) -> tuple[list[Block], Hints]:
    """Blocks of the article in ``markup`` and the page's metadata."""
    soup = BeautifulSoup(markup, "html.parser")
    hints = _hints(soup)
    # "Cổng thông tin điện tử tỉnh - Tiêu đề": the whole, then the pieces, longest first
    page_title = vietnamese.clean_spaces(soup.title.get_text()) if soup.title else ""
    pieces = sorted(re.split(r"\s+[|–—-]\s+", page_title), key=len, reverse=True) if page_title else []
    html = rules().html
    for tag in soup.find_all([*html["drop_tags"], "title", "head"]):
        tag.decompose()
    for tag in soup.find_all(style=_HIDDEN):
        tag.decompose()
    for text in soup.find_all(string=True):
        if type(text) is not NavigableString:  # comments, doctype, CDATA
            text.extract()
    page = soup.body or soup
    title = _title_element(page, [t for t in (hints.title, page_title, *pieces) if t])
    _take_bylines(page, hints)
    _drop_furniture(page, title)
    root = _content_root(page)
    scope = _scope(root, title) if title is not None else None
    if scope is None:  # no title shown near the text: the first heading there, if any
        title = _nearby_heading(root)
        scope = _scope(root, title) if title is not None else root
    if title is not None:
        hints.title = _text(title)
    blocks: list[Block] = []
    _walk(scope, PARA, blocks, [])
    return blocks, hints


# -- metadata ------------------------------------------------------------------------------------

def _meta(soup: BeautifulSoup, *names: str) -> list[str]:
    values = []
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        if key in names and tag.get("content", "").strip():
            values.append(vietnamese.nfc(tag["content"].strip()))
    return values


def _hints(soup: BeautifulSoup) -> Hints:
    hints = Hints()
    titles = _meta(soup, "og:title", "twitter:title")
    if titles:
        hints.title = vietnamese.clean_spaces(titles[0])
    # Not a bare "date": portals put the day the page was made there.
    published = ("article:published_time", "datepublished", "pubdate", "publishdate", "dc.date.issued")
    for value in _meta(soup, *published):
        hints.date = _parse_datetime(value)
        if hints.date:
            break
    for value in _meta(soup, "author", "article:author", "dc.creator"):
        if not value.startswith("http") and (names := person_names(value)):
            hints.authors = names
            break
    link = soup.find("link", rel="canonical")
    urls = [link["href"].strip()] if link and link.get("href", "").strip() else _meta(soup, "og:url")
    hints.url = urls[0] if urls else ""
    hints.tags = list(dict.fromkeys(vietnamese.clean_spaces(t) for t in _meta(soup, "article:tag")))
    return hints


def _parse_datetime(value: str) -> dt.datetime | None:
    """ISO 8601 (time zone → Vietnam's local time) or a Vietnamese day-first date."""
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            return dates.parse_header_date(value)
        except dates.DateError:
            return dates.parse_dateline(value)
    if when.tzinfo:
        when = when.astimezone(dates.VIETNAM).replace(tzinfo=None)
    return when.replace(second=0, microsecond=0)


# -- where the article is ------------------------------------------------------------------------

def _words_of(tag: Tag) -> list[str]:
    classes = tag.get("class") or []
    if isinstance(classes, str):
        classes = [classes]
    words: list[str] = []
    for value in [*classes, tag.get("id") or ""]:
        value = value.lower()
        words.append(value)
        words.extend(w for w in re.split(r"[^a-z0-9]+", value) if w)
    return words


def _matches(tag: Tag, pattern: str) -> bool:
    return any(re.search(pattern, w) for w in _words_of(tag) if w)


def _inside(inner: Tag, outer: Tag) -> bool:
    """True when ``inner`` is ``outer`` or one of its descendants (by identity)."""
    return inner is outer or any(parent is outer for parent in inner.parents)


def _title_element(page: Tag, candidates: list[str]) -> Tag | None:
    """The element showing the title: the first that reads like a candidate (best candidate first).

    Candidates come from ``og:title`` and ``<title>`` ("Tiêu đề - Cổng thông tin …"); without
    any, the first ``<h1>`` of four words or more.
    """
    elements = [
        (tag, vietnamese.match_key(_text(tag)))
        for tag in page.find_all(_TITLE_TAGS)
        if tag.find(_TITLE_TAGS) is None and len(tag.get_text()) <= 400
    ]
    for candidate in candidates:
        wanted = vietnamese.match_key(candidate)
        if not wanted:
            continue
        for tag, key in elements:
            if key == wanted:
                return tag
        if len(wanted.split()) < 4:
            continue
        for tag, key in elements:
            if len(key.split()) >= 4 and (key.startswith(wanted) or wanted.startswith(key)):
                return tag
    if not candidates:
        for heading in page.find_all("h1"):
            if len(_text(heading).split()) >= 4:
                return heading
    return None


def _take_bylines(page: Tag, hints: Hints) -> None:
    """Byline elements (class "author", "tacgia" …): their names, and out of the text."""
    pattern = rules().html["author"]
    for tag in page.find_all(True):
        if tag.decomposed or tag.name in _KEEP or not _matches(tag, pattern):
            continue
        text = _text(tag)
        if len(text) > 80:
            continue
        names = person_names(re.sub(r"^(?:tác giả|người viết|by)\s*:?\s*", "", text, flags=re.I))
        if names and not hints.authors:
            hints.authors = names
        tag.decompose()


def _drop_furniture(page: Tag, title: Tag | None) -> None:
    """Remove menus, sidebars, counters … (never what holds the title or most of the text)."""
    words = set(rules().html["drop_words"])
    total = len(_text(page)) or 1
    for tag in page.find_all(True):
        if tag.decomposed or tag.name in _KEEP or not words.intersection(_words_of(tag)):
            continue
        if title is not None and _inside(title, tag):
            continue
        if len(_text(tag)) > 0.4 * total:
            continue
        tag.decompose()


def _content_root(page: Tag) -> Tag:
    """The element holding the most paragraph text (links left out)."""
    scores: dict[int, int] = defaultdict(int)
    tags: dict[int, Tag] = {}
    for text in page.find_all(string=True):
        length = len(text.strip())
        if length < 25 or text.find_parent("a") is not None:
            continue
        block = next((p for p in text.parents if p.name in _BLOCKS), page)
        holder = block
        if block.name in _LINE_BLOCKS or (block.name == "div" and block.find(["br", *_BLOCK_LIST]) is None):
            holder = block.parent or block  # a paragraph: its container holds the article
            while holder.name in _LISTS and holder.parent is not None:
                holder = holder.parent
        scores[id(holder)] += length
        tags[id(holder)] = holder
    if not scores:
        return page
    return tags[max(scores, key=scores.__getitem__)]


def _near(root: Tag) -> list[Tag]:
    """``root`` and the few ancestors an article's title and date may sit in."""
    near = [root]
    for parent in root.parents:
        if len(near) > 4 or parent.name in ("html", "[document]"):
            break
        near.append(parent)
    return near


def _scope(root: Tag, title: Tag) -> Tag | None:
    """The smallest element near ``root`` that also holds ``title``; None when it is far."""
    return next((tag for tag in _near(root) if _inside(title, tag)), None)


def _nearby_heading(root: Tag) -> Tag | None:
    for tag in _near(root):
        for heading in tag.find_all(["h1", "h2", "h3"]):
            if len(_text(heading).split()) >= 4:
                return heading
    return None


# -- blocks ---------------------------------------------------------------------------------------

def _inline(tag: Tag) -> str:
    """The text of ``tag`` as a browser shows it on one line (no-break spaces kept)."""
    parts = []
    for node in tag.descendants:
        if isinstance(node, NavigableString):
            parts.append(str(node))
        elif node.name == "br" or node.name in _BLOCKS:
            parts.append(" ")
    return _HTML_SPACE.sub(" ", "".join(parts)).strip(" ")


def _text(tag: Tag) -> str:
    return vietnamese.clean_spaces(_inline(tag))


def _walk(tag: Tag, kind: str, blocks: list[Block], line: list[str]) -> None:
    """Append the blocks under ``tag``; ``line`` gathers the inline text of the current block."""
    caption = rules().html["caption"]
    for child in tag.children:
        if isinstance(child, NavigableString):
            line.append(_HTML_SPACE.sub(" ", str(child)))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name == "br":
            _flush(kind, blocks, line)
        elif name == "img":
            _flush(kind, blocks, line)
            src = child.get("src") or child.get("data-src") or child.get("data-original") or ""
            alt = vietnamese.clean_spaces(child.get("alt") or child.get("title") or "")
            if rules().image_marker.match(alt) or rules().furniture.match(alt):
                alt = ""
            blocks.append(Block(IMAGE, alt, src.strip()))
        elif name == "figcaption" or _is_caption(child, caption):
            _flush(kind, blocks, line)
            text = _inline(child)
            if text.strip():
                blocks.append(Block(CAPTION, text))
        elif name in _BLOCKS:
            _flush(kind, blocks, line)
            _walk(child, HEADING if name in _HEADINGS else PARA, blocks, line)
            _flush(HEADING if name in _HEADINGS else PARA, blocks, line)
        else:
            _walk(child, kind, blocks, line)


def _is_caption(tag: Tag, pattern: str) -> bool:
    return tag.name not in _KEEP and _matches(tag, pattern) and tag.find("img") is None


def _flush(kind: str, blocks: list[Block], line: list[str]) -> None:
    text = "".join(line).strip(" ")
    line.clear()
    if text.strip():
        blocks.append(Block(kind, text))
