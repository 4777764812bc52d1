"""Pelican plugin: read article files the portal's way and stop the build on bad ones.

* Markdown files are read by :class:`PortalMarkdownReader`: the header is parsed and checked
  by :mod:`portal.validation` (English or Vietnamese keys, Vietnamese dates, provinces through
  the gazetteer, ASCII slugs), the body is rendered by Python-Markdown.
* Every problem is collected; once all content is read (``all_generators_finalized``) the build
  prints one ``path:line: message`` per problem and exits with status 1 — no traceback, and no
  output written (see the ``atomic_output`` plugin).
"""

from __future__ import annotations

import dataclasses
import html
import logging
import os
import sys

from markdown import Markdown
from pelican import signals
from pelican.generators import ArticlesGenerator
from pelican.readers import MarkdownReader
from pelican.urlwrappers import Author, Tag

from portal import photos, validation, vietnamese

logger = logging.getLogger(__name__)

_problems: list[validation.Problem] = []


def display_path(path: str) -> str:
    """``path`` relative to the working directory when inside it (as editors typed it)."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


class PortalMarkdownReader(MarkdownReader):
    """Markdown reader with the portal's header rules and checks."""

    file_extensions = ["md", "markdown"]

    def read(self, source_path):
        shown = display_path(source_path)
        is_page = validation.is_page(source_path, self.settings["PATH"])
        article = validation.load(source_path, shown, page=is_page)
        if article.ok:
            errors, warnings = photos.check(article, self.settings["PATH"], source_path)
            article.problems.extend(errors)
            for warning in warnings:
                logger.warning("%s", warning)
        if article.problems:
            _problems.extend(article.problems)
            return "", {"status": "skip"}
        return self._render(article.body), self._metadata(article, is_page)

    def _render(self, body: str) -> str:
        """HTML of the body; one Markdown instance per reader, reset between files."""
        if getattr(self, "_markdown", None) is None:
            config = dict(self.settings["MARKDOWN"])
            # the header is already parsed: the meta extension would eat a body line "Xyz: ..."
            config["extensions"] = [e for e in config.get("extensions", []) if "meta" not in str(e)]
            self._markdown = Markdown(**config)
        self._markdown.reset()
        return self._markdown.convert(body)

    def _metadata(self, article: validation.ArticleFile, is_page: bool) -> dict:
        # header_status: what the header says; plugins/publication decides at each build
        metadata = {"title": article.title, "slug": article.slug, "status": article.status,
                    "header_status": article.status}
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


def use_portal_reader(readers) -> None:
    for extension in PortalMarkdownReader.file_extensions:
        readers.reader_classes[extension] = PortalMarkdownReader


def reset(_pelican) -> None:
    _problems.clear()


def stop_on_problems(generators) -> None:
    """Print every problem of the build and exit 1, before anything is written."""
    articles = []
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            # drafts too: a scheduled article is published later and must not clash then
            for article in generator.articles + generator.drafts + generator.hidden_articles + generator.translations:
                if getattr(article, "article_file", None):
                    articles.append(article.article_file)
    problems = sorted(set(_problems), key=lambda p: (p.path, p.line)) + validation.check_collection(articles)
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


def register():
    signals.initialized.connect(reset)
    signals.readers_init.connect(use_portal_reader)
    signals.all_generators_finalized.connect(stop_on_problems)
