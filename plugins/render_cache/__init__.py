"""Pelican plugin: reuse the pages of the previous build that would come out the same.

Pelican renders every page on every build; with thousands of articles that is most of a
rebuild. This plugin supplies a ``Writer`` (``get_writer`` signal) that keys each page it
writes and, when the key is the one recorded by the previous build, takes the previous file
instead of rendering the template:

* the site key: templates, theme-facing code and data, settings, the URL, title, date,
  author, provinces and tags of every article and the URL and title of every page — what any
  page may show of the site as a whole (menus, sidebars, neighbours, related lists, counts).
  Adding, removing or retitling an article renders every page again;
* an article page's key: its source file (path, size, modification time), its URL and the
  URLs of its previous/next/related articles. It is reused as a hard link to the previous
  build's file (a copy where links are impossible), keeping its time for web caches;
* a listing page's key (home, year, province, tag, author pages, each page of them): what the
  writer passes the template — the articles listed (their URL and source file), the page
  number and page count, the tag, author, province or year. A paginated page is assumed to
  show its own slice of the list and the list's length, and a page given every article
  (Pelican's ``all_articles``, the archives) to show no more of them than the site key holds.
  Editing one article's body renders again only the listing pages that list it.

A theme that shows more of other articles than the site key holds (their summaries in a
sidebar, say) must add it to the site key. Nothing ever writes through a link: a later write
to the same name replaces the link by a new file. Keys live in ``.render-manifest.json``
inside the output, so they always describe the files beside them (the whole output is
swapped in at once, see ``portal.build``). Feeds and the sitemap are always regenerated.
``make clean`` forgets everything.

It also fixes each article's URL once (Pelican's ``override_url``) when the articles are
sorted: Pelican otherwise recomputes it from its pattern at every access, tens of thousands of
times per build.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

from pelican import signals
from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper
from pelican.utils import sanitised_join
from pelican.writers import Writer

from portal.build import FINAL_OUTPUT_SETTING

logger = logging.getLogger(__name__)
MANIFEST = ".render-manifest.json"
ROOT = Path(__file__).resolve().parents[2]
_CODE = ("portal/*.py", "portal/data/*", "plugins/*/*.py")
_PATH_SETTINGS = {"PATH", "OUTPUT_PATH", "CACHE_PATH", FINAL_OUTPUT_SETTING, "THEME"}
_PAGINATION_KEYS = ("_paginator", "_page", "_previous_page", "_next_page")


def _digest(*parts) -> str:
    return hashlib.sha1(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _files_digest(folders: list[Path], patterns: tuple[str, ...] = ("**/*",)) -> str:
    sha = hashlib.sha1()
    for folder in folders:
        for pattern in patterns:
            for path in sorted(folder.glob(pattern)):
                if path.is_file():
                    sha.update(str(path.relative_to(folder)).encode())
                    sha.update(path.read_bytes())
    return sha.hexdigest()


def _read_manifest(path: str) -> dict:
    """The previous build's keys; {} (and a warning when the file is there but unreadable)."""
    try:
        with open(path, encoding="utf-8") as handle:
            previous = json.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        previous = error
    if isinstance(previous, dict) and isinstance(previous.get("pages", {}), dict):
        return previous
    logger.warning("Bỏ qua %s không đọc được (%s); dựng lại mọi trang.", path,
                   previous.__class__.__name__ if isinstance(previous, Exception) else "không đúng dạng")
    return {}


def _settings_digest(settings: dict) -> str:
    simple = (str, int, float, bool, type(None), list, tuple, dict)
    items = sorted(
        (key, repr(value)) for key, value in settings.items()
        if key.isupper() and key not in _PATH_SETTINGS and isinstance(value, simple) and "0x" not in repr(value)
    )
    return _digest(items)


class _Undescribable(Exception):
    """A template variable this plugin cannot key: the page is rendered."""


class RenderCache:
    """The keys of one build's pages and the previous build's, reset by :meth:`prepare`."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.active = False  # prepared for this build
        self.site_key = ""
        self.final = ""  # the output folder the build will replace
        self.previous: dict[str, str] = {}  # page → key, recorded by the previous build
        self.pages: dict[str, str] = {}  # page → key, for this build
        self.stamps: dict[str, tuple] = {}
        self.contents: dict[int, tuple] = {}
        self.lists: dict[int, tuple] = {}
        self.whole_site: tuple = ()
        self.shared_names: set[str] = set()

    def prepare(self, generators) -> None:
        """Compute the site key and load the previous manifest, before anything is written."""
        from pelican.generators import ArticlesGenerator, PagesGenerator

        self.reset()
        articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
        if articles is None:
            return
        pages = next((g for g in generators if isinstance(g, PagesGenerator)), None)
        settings = articles.settings
        theme = Path(articles.theme) / "templates"
        listed = [
            (a.url, a.title, a.date.isoformat(), str(getattr(a, "author", "")),
             [str(p) for p in getattr(a, "provinces", [])], [str(t) for t in getattr(a, "tags", [])])
            for a in articles.articles
        ]
        listed_pages = [(p.url, p.title) for p in (pages.pages if pages else [])]
        self.site_key = _digest(
            _files_digest([theme] + [Path(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES", [])]),
            _files_digest([ROOT], _CODE),
            _settings_digest(settings),
            listed,
            listed_pages,
            # what plugins add for pages that show more of the site (e.g. the front page's photos)
            sorted((k, v) for k, v in articles.context.items() if k.startswith("render_key_")),
        )
        self.final = settings.get(FINAL_OUTPUT_SETTING, articles.output_path)
        previous = _read_manifest(os.path.join(self.final, MANIFEST))
        self.previous = previous.get("pages", {}) if previous.get("site") == self.site_key else {}
        for generator in generators:  # taken before the sources were read (portal.pelican_cache)
            for source, (size, mtime_ns) in getattr(generator, "source_stats", {}).items():
                self.stamps[source] = (source, size, mtime_ns)
        self.whole_site = (articles.articles, articles.dates)
        self.shared_names = set(articles.context)  # what every page gets; the rest is the page's own
        self.active = True

    def source_stamp(self, content) -> tuple:
        """Path, size and modification time of an article's source, as they were before the
        build read it: a page rendered from the old text must not be keyed with a newer save."""
        source = content.source_path
        stamps = self.stamps
        if source not in stamps:
            try:
                stat = os.stat(source)
                stamps[source] = (source, stat.st_size, stat.st_mtime_ns)
            except (OSError, TypeError):
                stamps[source] = (source, None, None)
        return stamps[source]

    def page_key(self, article, template) -> str:
        neighbours = [getattr(getattr(article, name, None), "url", None) for name in ("prev_article", "next_article")]
        related = [a.url for a in getattr(article, "related_articles", [])]
        return _digest(self.source_stamp(article), getattr(article, "photo_key", ""), article.url,
                       getattr(template, "name", ""), neighbours, related)

    def unchanged(self, name: str, key: str) -> bool:
        """Record the key of page ``name``; True when the previous build recorded the same."""
        self.pages[name] = key
        return self.previous.get(name) == key

    def describe(self, value):
        """A plain, comparable stand-in for a template variable of a listing page."""
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        if isinstance(value, Content):
            memo = self.contents.get(id(value))
            if memo is None or memo[0] is not value:
                memo = self.contents[id(value)] = (value, (value.url, self.source_stamp(value),
                                                          getattr(value, "photo_key", "")))
            return memo[1]
        if isinstance(value, URLWrapper):
            return (type(value).__name__, value.name, value.url)
        if isinstance(value, Page):  # one page of a paginated list: its slice, number and count
            return ("page", value.number, value.paginator.num_pages, value.paginator.count,
                    self.describe(value.object_list))
        if isinstance(value, Paginator):
            return ("paginator", value.count, value.num_pages)
        if isinstance(value, (datetime.date, datetime.time)):
            return value.isoformat()
        if isinstance(value, (list, tuple)):
            if any(value is whole for whole in self.whole_site):
                return "whole site"  # what a page may show of every article is in the site key
            # The same long lists (every article, a tag's articles) come with many pages: key each once.
            memo = self.lists.get(id(value))
            if memo is None or memo[0] is not value:
                memo = self.lists[id(value)] = (value, _digest([self.describe(item) for item in value]))
            return memo[1]
        if isinstance(value, dict):
            return sorted((str(k), self.describe(v)) for k, v in value.items())
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = [f for f in dataclasses.fields(value) if f.compare]  # a province's links to others: not itself
            return (type(value).__name__, [self.describe(getattr(value, f.name)) for f in fields])
        raise _Undescribable(type(value).__name__)

    def listing_key(self, template, localcontext: dict, names: set[str], paginated: set[str]) -> str | None:
        """The key of a listing page from what the writer passes its template, or None."""
        described = []
        try:
            for name in sorted(names):
                value = localcontext.get(name)
                if name in paginated and isinstance(value, (list, tuple)):
                    value = len(value)  # a paginated page shows its slice (described with the page) and the length
                described.append((name, self.describe(value)))
        except _Undescribable:
            return None
        return _digest(self.site_key, getattr(template, "name", ""), localcontext.get("output_file"), described)

    def get_writer(self, _pelican):
        """Pelican's writer class for this build: a :class:`CachingWriter` of this cache."""
        return type("CachingWriter", (CachingWriter,), {"cache": self})

    def save(self, pelican) -> None:
        if not self.active:
            return
        with open(os.path.join(pelican.output_path, MANIFEST), "w", encoding="utf-8") as handle:
            json.dump({"site": self.site_key, "pages": self.pages}, handle)


class _ReusingTemplate:
    """Stands in for a listing page's template: when the page's key is the previous build's, links
    that build's file in place and renders nothing (the writer then writes nothing over it)."""

    def __init__(self, template, writer: CachingWriter, names: set[str], paginated: set[str]):
        self.template, self.writer, self.names, self.paginated = template, writer, names, paginated
        self.name = getattr(template, "name", "")

    def render(self, localcontext: dict) -> str:
        name = localcontext.get("output_file")
        cache = self.writer.cache
        key = cache.listing_key(self.template, localcontext, self.names, self.paginated) if name else None
        if key is not None and cache.unchanged(name, key) and self.writer.link_previous(name, written_later=True):
            return ""
        return self.template.render(localcontext)


class CachingWriter(Writer):
    """Pelican's writer, taking unchanged pages from the previous build (``cache``)."""

    cache: RenderCache = RenderCache()  # set per build by RenderCache.get_writer

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings)
        self._linked: set[str] = set()  # pages that are links to the previous build's files
        self._pending: set[str] = set()  # reused listing pages the writer has yet to "write"

    def write_file(self, name, template, context, relative_urls=False, paginated=None,
                   template_name=None, override_output=False, url=None, **kwargs):
        article = kwargs.get("article")
        cache = self.cache
        if cache.active and name and article is None and hasattr(template, "render"):
            lists = set(paginated or {k for k in kwargs if k in {"articles", "dates"}})
            if template_name not in self.settings["PAGINATED_TEMPLATES"]:
                lists = set()
            names = set(kwargs) | {key + suffix for key in lists for suffix in _PAGINATION_KEYS}
            names |= set(context) - cache.shared_names  # e.g. the period of a year page
            template = _ReusingTemplate(template, self, names, lists)
        elif (cache.active and name and article is not None and cache.unchanged(name, cache.page_key(article, template))
              and self.link_previous(name)):
            signals.content_written.send(
                os.path.join(self.output_path, name), context={"article": article, "output_file": name}
            )
            return None
        return super().write_file(name, template, context, relative_urls, paginated,
                                  template_name, override_output, url, **kwargs)

    def link_previous(self, name: str, written_later: bool = False) -> bool:
        """Put the previous build's ``name`` in the output (a hard link, else a copy).

        ``written_later``: Pelican's writer is about to write this page (with nothing to write).
        """
        source = os.path.join(self.cache.final, name)
        target = sanitised_join(self.output_path, name)
        if not os.path.isfile(source) or os.path.exists(target):
            return False
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        if written_later:
            self._pending.add(target)
        else:
            self._linked.add(target)
            self._written_files.add(target)  # Pelican's own guard against writing a page twice
        return True

    def _open_w(self, filename, encoding, override=False):
        if filename in self._pending:  # a reused listing page: keep the link, write nothing
            self._pending.discard(filename)
            self._written_files.add(filename)
            self._linked.add(filename)
            return open(os.devnull, "w", encoding=encoding)
        if filename in self._linked:  # never truncate the previous build's file through the link
            self._linked.discard(filename)
            os.unlink(filename)
        return super()._open_w(filename, encoding, override)


def fix_urls(generator) -> None:
    """Pelican recomputes an article's URL from its pattern on every access: fix each once, as
    soon as the articles are sorted (the search index's process and every page read them)."""
    for article in generator.articles + generator.drafts + generator.hidden_articles:
        article.override_url = article.url


render_cache = RenderCache()


def register():
    signals.article_generator_finalized.connect(fix_urls)
    signals.all_generators_finalized.connect(render_cache.prepare)
    signals.get_writer.connect(render_cache.get_writer)
    signals.finalized.connect(render_cache.save)
