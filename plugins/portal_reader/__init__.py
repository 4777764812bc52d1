"""Pelican plugin: read article files the portal's way and stop the build on bad ones.

* Markdown files are read by :class:`PortalMarkdownReader`: the header is parsed and checked
  by :mod:`portal.validation` (English or Vietnamese keys, Vietnamese dates, provinces through
  the gazetteer, ASCII slugs, the limits of :mod:`portal.limits`), the body is rendered and
  sanitised by :func:`portal.rendering.render` — pages, feeds, summaries and the search index
  all get that HTML. What the sanitiser removed is logged as warnings at every build.
* Every problem is collected; once all content is read (``all_generators_finalized``) the build
  prints one ``path:line: message`` per problem and exits with status 1 — no traceback, and no
  output written (see ``portal.build``). A file Pelican itself failed to read is such a problem
  too, and a symbolic link looping in the content folder is one problem naming it (not followed).
"""

from __future__ import annotations

import dataclasses
import html
import logging
import os
import sys

from pelican import signals
from pelican.generators import ArticlesGenerator
from pelican.readers import MarkdownReader
from pelican.urlwrappers import Author, Tag

from portal import limits, photos, rendering, validation, vietnamese

logger = logging.getLogger(__name__)

def display_path(path: str) -> str:
    """``path`` relative to the working directory when inside it (as editors typed it)."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


class PortalMarkdownReader(MarkdownReader):
    """Markdown reader with the portal's header rules and checks."""

    file_extensions = ["md", "markdown"]
    problems: list[validation.Problem] = []  # where read() reports; bound per build by Problems

    def read(self, source_path):
        shown = display_path(source_path)
        is_page = validation.is_page(source_path, self.settings["PATH"])
        article = validation.load(source_path, shown, page=is_page)
        if article.ok:
            errors, warnings = photos.check(article, self.settings["PATH"], source_path)
            article.problems.extend(errors)
            for warning in warnings:
                logger.warning("%s", warning)
        rendered = None if article.problems else rendering.render(article, self.settings["MARKDOWN"])
        if article.problems or rendered.errors:
            self.problems.extend(article.problems or rendered.errors)
            return "", {"status": "skip"}
        return rendered.html, self._metadata(article, is_page, rendered)

    def _metadata(self, article: validation.ArticleFile, is_page: bool, rendered: rendering.Rendered) -> dict:
        # header_status: what the header says; plugins/publication decides at each build
        metadata = {"title": article.title, "slug": article.slug, "status": article.status,
                    "header_status": article.status, "rendered_with": rendering.VERSION,
                    "render_warnings": tuple(rendered.warnings)}
        if article.date:
            metadata["date"] = article.date
        if article.modified:
            metadata["modified"] = article.modified
        if article.summary:
            metadata["summary"] = html.escape(article.summary)
        if article.source:
            metadata["source"] = article.source
        if article.image:
            metadata["image"] = article.image
        metadata["featured"] = article.featured
        if article.tags:
            metadata["tags"] = [_wrapper(Tag, name, self.settings) for name in article.tags]
        if article.authors:
            metadata["authors"] = [_wrapper(Author, name, self.settings) for name in article.authors]
            metadata["author"] = metadata["authors"][0]
        if not is_page:
            metadata["provinces"] = article.provinces
            # What the cross-file checks need, without the text (kept in Pelican's cache).
            metadata["article_file"] = dataclasses.replace(
                article, text="", body="", fingerprint=validation.body_fingerprint(article)
            )
        return metadata


def _wrapper(cls, name: str, settings: dict):
    wrapper = cls(name, settings)
    wrapper.slug = vietnamese.slugify(name)
    return wrapper


def drop_stale_cache(generator) -> None:
    """Pelican caches articles as read: forget those rendered by another version of
    :mod:`portal.rendering` or of the allowlist, so they are rendered and sanitised again."""
    cache = getattr(generator, "_cache", None)
    if isinstance(cache, dict):
        for name, entry in list(cache.items()):
            content = entry[1] if isinstance(entry, tuple) and len(entry) == 2 else None
            if getattr(content, "rendered_with", None) != rendering.VERSION:
                del cache[name]


def log_warnings(generators) -> None:
    """Log what the allowlist removed, for every article and page (read now or cached)."""
    for generator in generators:
        for name in ("articles", "drafts", "hidden_articles", "translations", "pages", "hidden_pages",
                     "draft_pages"):
            for content in getattr(generator, name, []):
                for warning in getattr(content, "render_warnings", ()):
                    logger.warning("%s", warning)


class Problems:
    """The problems of one build's articles: reported by the reader, printed before writing."""

    def __init__(self):
        self.problems: list[validation.Problem] = []

    def start(self, pelican) -> None:
        """Forget the last build's problems; report symbolic links that loop and don't follow them."""
        self.problems.clear()
        settings = pelican.settings
        for link, target in limits.walk(settings["PATH"], set())[1]:
            self.problems.append(validation.Problem(display_path(str(link)), 1, limits.loop_message(
                display_path(str(link)), display_path(str(target)))))
            relative = os.path.relpath(link, settings["PATH"])
            for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES", "STATIC_EXCLUDES"):
                settings[key] = [*settings.get(key, []), relative]

    def use_portal_reader(self, readers) -> None:
        reader = type("PortalMarkdownReader", (PortalMarkdownReader,), {"problems": self.problems})
        for extension in PortalMarkdownReader.file_extensions:
            readers.reader_classes[extension] = reader

    def unread_files(self, generators) -> list[validation.Problem]:
        """A problem for each source file Pelican failed to read (it logs them and goes on)."""
        reported = {os.path.abspath(p.path) for p in self.problems}
        found = []
        for generator in generators:
            for name, content in getattr(generator, "context", {}).get("generated_content", {}).items():
                path = os.path.join(generator.path, name)
                if content is None and os.path.abspath(path) not in reported:
                    reported.add(os.path.abspath(path))
                    found.append(validation.Problem(
                        display_path(path), 1,
                        "Pelican không xử lý được bài này (chi tiết trong nhật ký của Pelican, khi chạy "
                        f"không có -q); chạy `python -m portal check {display_path(path)}` để tìm chỗ sai",
                    ))
        return found

    def stop_on_problems(self, generators) -> None:
        """Print every problem of the build and exit 1, before anything is written."""
        articles = []
        for generator in generators:
            if isinstance(generator, ArticlesGenerator):
                # drafts too: a scheduled article is published later and must not clash then
                for article in (generator.articles + generator.drafts + generator.hidden_articles
                                + generator.translations):
                    if getattr(article, "article_file", None):
                        articles.append(article.article_file)
        log_warnings(generators)
        problems = sorted(set(self.problems) | set(self.unread_files(generators)), key=lambda p: (p.path, p.line))
        problems += validation.check_collection(articles)
        if not problems:
            return
        for problem in problems:
            sys.stderr.write(f"{problem}\n")
        files = len({p.path for p in problems})
        sys.stderr.write(
            f"Dừng xây dựng trang: {len(problems)} lỗi trong {files} tệp. "
            "Sửa các lỗi trên rồi chạy lại (kiểm tra nhanh: python -m portal check).\n"
        )
        sys.stderr.flush()
        raise SystemExit(1)


build_problems = Problems()


def register():
    signals.initialized.connect(build_problems.start)
    signals.article_generator_init.connect(drop_stale_cache)
    signals.page_generator_init.connect(drop_stale_cache)
    signals.readers_init.connect(build_problems.use_portal_reader)
    signals.all_generators_finalized.connect(build_problems.stop_on_problems)
