"""Pelican plugin: ``sitemap.xml`` with dates that come from the content.

Every page written (``content_written``) is listed, as pelican-sitemap did, with its
``<lastmod>``: an article's ``Cập nhật``/``Modified`` date, else its date; a listing page's
newest article among those it lists; any other page (``/tinh/``, ``/chu-de/``…) the newest
article of the site. Nothing depends on when the build runs, so two builds of the same content
write the same sitemap.

Settings: ``SITEMAP`` — ``exclude`` (regular expressions of site-relative URLs) and
``changefreqs`` (``articles``, ``pages``, ``indexes``).
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote
from xml.sax.saxutils import escape

from pelican import contents, signals

_CHANGEFREQS = {"articles": "monthly", "pages": "monthly", "indexes": "daily"}
_queue: list = []


def when(content):
    """The date a page of ``content`` last changed: modified, else published (or None)."""
    return getattr(content, "modified", None) or getattr(content, "date", None)


def lastmod(date) -> str:
    return date.isoformat(timespec="seconds")


def _listed(context: dict) -> list:
    page = context.get("articles_page")
    if page is not None:
        return list(page.object_list)
    return list(context.get("articles") or context.get("dates") or [])


def queue(path: str, context: dict) -> None:
    content = context.get("article") or context.get("page")
    dates = [when(content)] if content is not None else [when(a) for a in _listed(context)]
    _queue.append((path, content, max((d for d in dates if d is not None), default=None)))


def write(pelican) -> None:
    settings = pelican.settings
    config = settings.get("SITEMAP", {})
    excluded = [re.compile(pattern) for pattern in config.get("exclude", ())]
    changefreqs = {**_CHANGEFREQS, **config.get("changefreqs", {})}
    newest = max((d for _path, _content, d in _queue if d is not None), default=None)
    entries = {}
    for path, content, date in _queue:
        url = content.url if content is not None else os.path.relpath(path, pelican.output_path).replace(os.sep, "/")
        url = re.sub(r"(?:^|(?<=/))index\.html$", "", url)
        if getattr(content, "status", "published") != "published" or any(p.search(url) for p in excluded):
            continue
        kind = ("articles" if isinstance(content, contents.Article)
                else "pages" if isinstance(content, contents.Page) else "indexes")
        entries[url] = (date or newest, changefreqs[kind])
    _queue.clear()
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url in sorted(entries):
        date, changefreq = entries[url]
        lines.append(f"<url><loc>{escape(settings['SITEURL'] + '/' + quote(url, safe='/:~-._'))}</loc>"
                     + (f"<lastmod>{lastmod(date)}</lastmod>" if date else "")
                     + f"<changefreq>{changefreq}</changefreq></url>")
    lines.append("</urlset>")
    with open(os.path.join(pelican.output_path, "sitemap.xml"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def reset(_pelican) -> None:
    _queue.clear()


def register():
    signals.initialized.connect(reset)
    signals.content_written.connect(queue)
    signals.finalized.connect(write)
