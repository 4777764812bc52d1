"""The front page: a lead story, then sections as ``HOME_SECTIONS`` in ``pelicanconf.py`` says.

The lead story is the newest article marked ``Featured: yes`` / ``Nổi bật: có``, else the newest
with a photo, else the newest. A section holds the latest articles of a group of provinces
(today's units: an article counts under the unit its province belongs to now, "Toàn quốc" for
national news) or of some topics (tags).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from portal import gazetteer, urls, vietnamese

SECTION_SIZE = 4


class SettingError(Exception):
    """``HOME_SECTIONS`` names something that does not exist."""


@dataclass
class Section:
    title: str
    anchor: str
    articles: list = field(default_factory=list)
    url: str = ""  # "Xem thêm": the one province's or topic's page, when there is one


@dataclass
class FrontPage:
    lead: object | None
    sections: list[Section]


def lay_out(articles: list, settings: dict) -> FrontPage:
    """Choose the lead story and fill the sections from ``articles`` (newest first)."""
    lead = next((a for a in articles if getattr(a, "featured", False)), None)
    lead = lead or next((a for a in articles if getattr(a, "lead_photo", None)), None)
    lead = lead or (articles[0] if articles else None)
    size = settings.get("HOME_SECTION_SIZE", SECTION_SIZE)
    sections = []
    for spec in settings.get("HOME_SECTIONS", []):
        section, matches = _section(spec)
        section.articles = [a for a in articles if a is not lead and matches(a)][:size]
        if section.articles:
            sections.append(section)
    return FrontPage(lead, sections)


def _section(spec: dict):
    title = spec.get("title", "")
    places = gazetteer.load()
    anchor = "muc-" + vietnamese.slugify(title)
    if "provinces" in spec:
        units = set()
        for name in spec["provinces"]:
            province = places.resolve(name)
            if province is None:
                raise SettingError(f"HOME_SECTIONS ({title}): {places.unknown(name)} Sửa trong pelicanconf.py")
            units.add(province.current.slug)
        url = urls.PROVINCE_URL.format(slug=next(iter(units))) if len(units) == 1 else ""

        def matches(article) -> bool:
            return any(p.current.slug in units for p in getattr(article, "provinces", []))
        return Section(title, anchor, url=url), matches
    if "tags" in spec:
        wanted = {vietnamese.match_key(t) for t in spec["tags"]}
        url = urls.TAG_URL.format(slug=vietnamese.slugify(spec["tags"][0])) if len(wanted) == 1 else ""

        def matches(article) -> bool:
            return any(vietnamese.match_key(str(t)) in wanted for t in getattr(article, "tags", []))
        return Section(title, anchor, url=url), matches
    raise SettingError(f'HOME_SECTIONS ({title}): mỗi mục cần "provinces" hoặc "tags"; sửa trong pelicanconf.py')


# -- the lead paragraph (sapo) of an article page ---------------------------------------------


def _words(fragment: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", fragment or ""))
    return " ".join(vietnamese.normalize(text).replace("…", " ").replace("...", " ").split())


def _first_paragraph(content: str) -> str | None:
    """The HTML inside the first ``<p>…</p>`` of ``content`` (None when there is none)."""
    start = content.find("<p>")
    end = content.find("</p>", start + 3) if start >= 0 else -1
    return content[start + 3:end] if end >= 0 else None


def _repeats(summary: str, paragraph: str) -> bool:
    """True when the words of ``summary`` begin ``paragraph`` or the other way round. A long
    paragraph is compared by its beginning: cut after about twice the summary, an unfinished tag
    and the last (maybe cut) word dropped, what is left is the start of the paragraph's words;
    when it is at least as long as the summary, it decides alone."""
    if len(paragraph) > 2 * len(summary) + 200:
        head = paragraph[:2 * len(summary) + 200]
        if head.rfind("<") > head.rfind(">"):
            head = head[:head.rfind("<")]
        start = _words(head).rpartition(" ")[0]
        if len(start) >= len(summary):
            return start.startswith(summary)
    body = _words(paragraph)
    return bool(body) and (body.startswith(summary) or summary.startswith(body))


def sapo(article) -> str:
    """The summary to show under the title, or "" when it only repeats the title or the first
    paragraph (the page then sets the first paragraph as the lead)."""
    summary = _words(getattr(article, "summary", ""))
    if not summary or summary == _words(article.title):
        return ""
    first = _first_paragraph(getattr(article, "content", "") or "")
    if first is not None and _repeats(summary, first):
        return ""
    return html.unescape(re.sub(r"<[^>]+>", "", article.summary)).strip()
