"""Pelican plugin: write the Whoosh search index into the build output (``search-index/``).

Once every article is read (``all_generators_finalized``), the plugin forks a second process
(which shares the articles as they are). It gathers what the index needs, extracts the body
text from the rendered HTML (BeautifulSoup) and updates the index (:mod:`portal.search.indexer`:
incremental, reusing the previous build's index) while Pelican renders the pages. At ``finalized`` the build waits for
it; a failed index fails the build, so the last good site and index stay in place.

Settings: ``SEARCH_INDEX_PARALLEL`` (default True; False indexes in the build process).
"""

from __future__ import annotations

import html
import logging
import multiprocessing
import os
import sys

from bs4 import BeautifulSoup
from pelican import signals
from pelican.generators import ArticlesGenerator

from portal import gazetteer, templating, urls
from portal.build import FINAL_OUTPUT_SETTING
from portal.search.indexer import write_index
from portal.search.schema import SearchDocument

logger = logging.getLogger(__name__)
_job: dict = {}


def html_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one line per block."""
    if "<" not in fragment:
        return html.unescape(fragment)
    return BeautifulSoup(fragment, "html.parser").get_text("\n", strip=True)


def _raw(article) -> dict:
    """What the index needs of an article, as plain data (cheap; no HTML parsing here)."""
    places = gazetteer.load()
    provinces = getattr(article, "provinces", [])
    return {
        "url": article.url,
        "title": article.title,
        "summary_html": getattr(article, "summary", "") or "",
        "content_html": article.content or "",
        "date": article.date,
        "provinces": [p.label for p in provinces],
        "province_slugs": sorted(
            {templating.province_url(p).split("/")[1] for p in provinces}
            | {places.current_of(p).slug for p in provinces}
        ),
        "units": sorted({places.current_of(p).slug for p in provinces}),
        "tags": [tag.name for tag in getattr(article, "tags", [])],
        "author": article.author.name if getattr(article, "author", None) else "",
    }


def document(raw: dict) -> SearchDocument:
    summary = html_text(raw["summary_html"])
    body = html_text(raw["content_html"])
    text = body if not summary or body.startswith(summary[:80]) else f"{summary}\n\n{body}"
    return SearchDocument(
        url=raw["url"], title=raw["title"], text=text, date=raw["date"], summary=summary,
        provinces=raw["provinces"], province_slugs=raw["province_slugs"], units=raw["units"],
        tags=raw["tags"], author=raw["author"],
    )


def build_index(raws: list[dict], target: str, previous: str) -> None:
    report = write_index([document(raw) for raw in raws], target, previous)
    logger.info("%s", report)


def _child(articles, target, previous) -> None:
    try:
        build_index([_raw(article) for article in articles], target, previous)
    except Exception as error:  # reported by the parent as a build error
        sys.stderr.write(f"Lỗi khi ghi chỉ mục tìm kiếm: {error.__class__.__name__}: {error}\n")
        sys.stderr.flush()
        os._exit(1)


def start(generators) -> None:
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles is None:
        return
    settings = articles.settings
    target = os.path.join(articles.output_path, urls.SEARCH_INDEX_DIR)
    final = settings.get(FINAL_OUTPUT_SETTING, articles.output_path)
    previous = os.path.join(final, urls.SEARCH_INDEX_DIR)
    _job.clear()
    if settings.get("SEARCH_INDEX_PARALLEL", True) and "fork" in multiprocessing.get_all_start_methods():
        # A forked child shares the articles as they are now; nothing is copied or pickled.
        process = multiprocessing.get_context("fork").Process(
            target=_child, args=(list(articles.articles), target, previous)
        )
        process.start()
        _job["process"] = process
    else:
        build_index([_raw(article) for article in articles.articles], target, previous)


def finish(_pelican) -> None:
    process = _job.pop("process", None)
    if process is None:
        return
    process.join()
    if process.exitcode != 0:
        sys.stderr.write("Dừng xây dựng trang: không ghi được chỉ mục tìm kiếm (xem lỗi ở trên).\n")
        raise SystemExit(1)


def register():
    signals.all_generators_finalized.connect(start)
    signals.finalized.connect(finish)
