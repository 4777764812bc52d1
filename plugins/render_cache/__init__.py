"""Pelican plugin: reuse article pages of the previous build when nothing they show changed.

Pelican renders every page on every build; with thousands of articles that is most of a
rebuild. This plugin supplies a ``Writer`` (``get_writer`` signal) that, for an article page,
copies the file of the previous build instead of rendering it when its key is unchanged:

* the site key: templates, theme-facing code and data, settings, and the URL, title, date,
  provinces and tags of every article — what an article page may show of *other* articles
  (sidebars, neighbours, related lists). Adding, removing or retitling an article re-renders
  every article page; editing a body re-renders one. A theme whose article pages show more of
  other articles (their summaries, say) must add it here;
* the page key: the article's source file (path, size, modification time), its URL, and the
  URLs of its previous/next/related articles.

It also fixes each article's URL once (Pelican's ``override_url``): Pelican otherwise
recomputes it from its pattern at every access, tens of thousands of times per build.

Keys are kept in ``.render-manifest.json`` inside the output, so they always describe the
files beside them (the whole output is swapped in at once, see ``portal.build``). Listing
pages, feeds and the sitemap are always regenerated. ``make clean`` forgets everything.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from pelican import signals
from pelican.writers import Writer

from portal.build import FINAL_OUTPUT_SETTING

MANIFEST = ".render-manifest.json"
ROOT = Path(__file__).resolve().parents[2]
_CODE = ("portal/*.py", "portal/data/*", "plugins/*/*.py")
_PATH_SETTINGS = {"PATH", "OUTPUT_PATH", "CACHE_PATH", FINAL_OUTPUT_SETTING, "THEME"}
_state: dict = {}


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


def _settings_digest(settings: dict) -> str:
    simple = (str, int, float, bool, type(None), list, tuple, dict)
    items = sorted(
        (key, repr(value)) for key, value in settings.items()
        if key.isupper() and key not in _PATH_SETTINGS and isinstance(value, simple) and "0x" not in repr(value)
    )
    return _digest(items)


def prepare(generators) -> None:
    """Compute the site key and load the previous manifest, before anything is written."""
    from pelican.generators import ArticlesGenerator

    _state.clear()
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles is None:
        return
    settings = articles.settings
    for article in articles.articles + articles.drafts + articles.hidden_articles:
        # Pelican recomputes URLs from their pattern on every access; fix each once.
        article.override_url = article.url
    theme = Path(articles.theme) / "templates"
    listed = [
        (a.url, a.title, a.date.isoformat(), [str(p) for p in getattr(a, "provinces", [])],
         [str(t) for t in getattr(a, "tags", [])])
        for a in articles.articles
    ]
    site_key = _digest(
        _files_digest([theme] + [Path(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES", [])]),
        _files_digest([ROOT], _CODE),
        _settings_digest(settings),
        listed,
    )
    final = settings.get(FINAL_OUTPUT_SETTING, articles.output_path)
    try:
        with open(os.path.join(final, MANIFEST), encoding="utf-8") as handle:
            previous = json.load(handle)
    except (OSError, ValueError):
        previous = {}
    _state.update(
        site_key=site_key,
        final=final,
        previous=previous.get("pages", {}) if previous.get("site") == site_key else {},
        pages={},
        reused=0,
    )


def _page_key(article, template) -> str:
    source = article.source_path
    try:
        stat = os.stat(source)
        stamp = (stat.st_size, stat.st_mtime_ns)
    except OSError:
        stamp = None
    neighbours = [getattr(getattr(article, name, None), "url", None) for name in ("prev_article", "next_article")]
    related = [a.url for a in getattr(article, "related_articles", [])]
    return _digest(source, stamp, article.url, getattr(template, "name", ""), neighbours, related)


class CachingWriter(Writer):
    """Pelican's writer, copying unchanged article pages from the previous build."""

    def write_file(self, name, template, context, relative_urls=False, paginated=None,
                   template_name=None, override_output=False, url=None, **kwargs):
        article = kwargs.get("article")
        if not _state or article is None or not name:
            return super().write_file(name, template, context, relative_urls, paginated,
                                      template_name, override_output, url, **kwargs)
        key = _page_key(article, template)
        _state["pages"][name] = key
        if _state["previous"].get(name) == key and self._reuse(name):
            signals.content_written.send(
                os.path.join(self.output_path, name), context={"article": article, "output_file": name}
            )
            _state["reused"] += 1
            return None
        return super().write_file(name, template, context, relative_urls, paginated,
                                  template_name, override_output, url, **kwargs)

    def _reuse(self, name: str) -> bool:
        source = os.path.join(_state["final"], name)
        target = os.path.join(self.output_path, name)
        if not os.path.isfile(source) or os.path.exists(target):
            return False
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target)  # keeps its time: an unchanged page looks unchanged to caches
        return True


def get_writer(_pelican):
    return CachingWriter


def save(pelican) -> None:
    if not _state:
        return
    with open(os.path.join(pelican.output_path, MANIFEST), "w", encoding="utf-8") as handle:
        json.dump({"site": _state["site_key"], "pages": _state["pages"]}, handle)


def register():
    signals.all_generators_finalized.connect(prepare)
    signals.get_writer.connect(get_writer)
    signals.finalized.connect(save)
