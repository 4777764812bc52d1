"""Pelican plugin: article photos as readers need them (see :mod:`portal.photos`).

* Every ``<img>`` of an article's HTML that names a local photo becomes a ``<picture>`` with
  WebP and JPEG/PNG ``srcset``, ``sizes``, ``width``/``height`` and ``loading="lazy"`` below the
  lead; a photo alone in its paragraph becomes a ``<figure>`` whose ``<figcaption>`` is its
  title, the ``<p class="caption">`` right after it, or its alt text. A caption left without
  its photo (imported pages whose pictures were lost) is marked ``caption-orphan``.
* Each article gets ``lead_photo`` (the header's ``Image:``/``Ảnh:``, else its first photo) for
  thumbnails, the front page and the share image, and ``photo_key`` for the render cache.
* The variants are made in threads while Pelican writes pages, and linked from the cache into
  the output; the build waits for them (``finalized``) before the output is swapped in.
* It writes ``sitemap-anh.xml``, the image sitemap of the published articles.
* The original photo files are not copied to the output (their metadata stays in the newsroom).

This runs on the final article HTML, after the reader (and any sanitising) is done.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from pelican import signals

from portal import photos

logger = logging.getLogger(__name__)

_ATTR = re.compile(r'([a-zA-Z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
# a photo alone in its paragraph (and the caption paragraph after it), or any other <img>
_PHOTO = re.compile(
    r'<p>\s*(<img\b[^>]*>)\s*</p>(?:\s*<p class="caption">(.*?)</p>)?|(<img\b[^>]*>)', re.I | re.S)
_ORPHAN_CAPTION = '<p class="caption">'


@dataclass(frozen=True)
class Lead:
    """An article's lead photo, as templates use it (``theme/templates/_photo.html``)."""

    variants: tuple[tuple[int, str, str], ...]  # (width, WebP name, fallback name), names site-relative
    width: int
    height: int
    alt: str
    share: str  # the 1200-wide JPEG for og:image
    share_width: int
    share_height: int
    digest: str

    def srcset(self, siteurl: str, webp: bool = False) -> str:
        return ", ".join(f"{siteurl}/{webp_name if webp else name} {w}w" for w, webp_name, name in self.variants)

    def src(self, siteurl: str) -> str:
        """The fallback for browsers without srcset: the smallest variant."""
        return f"{siteurl}/{self.variants[0][2]}"


def lead_of(photo: photos.Photo, alt: str) -> Lead:
    return Lead(
        variants=tuple((w, photo.name(w, "webp"), photo.name(w, photo.fallback)) for w in photo.widths()),
        width=photo.width, height=photo.height, alt=alt,
        share=photo.share_name(), share_width=photo.share_width,
        share_height=photo.height_at(photo.share_width), digest=photo.digest,
    )


def picture(photo: photos.Photo, alt: str, siteurl: str, lazy: bool, css_class: str = "") -> str:
    """``<picture>`` markup of a photo at its widths."""
    widths = photo.widths()

    def srcset(ext: str) -> str:
        return ", ".join(f"{siteurl}/{photo.name(w, ext)} {w}w" for w in widths)

    fallback = next((w for w in widths if w >= 960), widths[-1])
    loading = 'loading="lazy" decoding="async"' if lazy else 'fetchpriority="high"'
    klass = f' class="{css_class}"' if css_class else ""
    return (
        f'<picture{klass}><source type="image/webp" srcset="{srcset("webp")}" sizes="{photos.SIZES}">'
        f'<img src="{siteurl}/{photo.name(fallback, photo.fallback)}" srcset="{srcset(photo.fallback)}" '
        f'sizes="{photos.SIZES}" width="{photo.width}" height="{photo.height}" alt="{html.escape(alt)}" '
        f"{loading}></picture>"
    )


def figure(photo: photos.Photo, caption_html: str, alt: str, siteurl: str, lazy: bool) -> str:
    caption = f"<figcaption>{caption_html}</figcaption>" if caption_html else ""
    return f'<figure class="photo">{picture(photo, alt, siteurl, lazy)}{caption}</figure>'


def _attrs(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(m.group(2) if m.group(2) is not None else m.group(3) or "")
            for m in _ATTR.finditer(tag)}


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


class _Article:
    """Rewrites one article's HTML; collects its photos and problems."""

    def __init__(self, article, store: photos.Store, settings: dict):
        self.article, self.store = article, store
        self.root = settings["PATH"]
        self.siteurl = settings.get("SITEURL", "")
        self.found: list[tuple[photos.Photo, str]] = []  # (photo, alt) in order
        self.problems: list[str] = []
        self.lines = {ref.src: ref.line for ref in self._references()}
        self.where: dict[str, str] = {}  # photo digest -> "file:line", for errors found later

    def _references(self) -> list[photos.Reference]:
        try:
            text = Path(self.article.source_path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        return photos.references(text)

    def photo(self, src: str) -> photos.Photo | None:
        path = photos.resolve(src, self.article.source_path, self.root)
        if path is None or path.suffix.lower() not in photos.SUFFIXES:  # remote, or an .svg used as is
            return None
        where = f"{os.path.relpath(self.article.source_path)}:{self.lines.get(src, 1)}"
        try:
            photo = self.store.photo(path)
        except (OSError, photos.PhotoError) as error:
            message = str(error) if isinstance(error, photos.PhotoError) else f'không tìm thấy ảnh "{src}" ({path})'
            self.problems.append(f"{where}: {message}")
            return None
        self.where.setdefault(photo.digest, where)
        return photo

    def rewrite(self, content: str) -> str:
        content = _PHOTO.sub(lambda m: self._inline(m) if m.group(3) else self._figure(m), content)
        return content.replace(_ORPHAN_CAPTION, '<p class="caption caption-orphan">')

    def _figure(self, match: re.Match) -> str:
        attrs = _attrs(match.group(1))
        photo = self.photo(attrs.get("src", ""))
        if photo is None:
            return match.group(0)
        caption = match.group(2) or html.escape(attrs.get("title") or attrs.get("alt", ""))
        alt = attrs.get("alt") or _text(caption)
        self.found.append((photo, alt))
        return figure(photo, caption, alt, self.siteurl, lazy=len(self.found) > 1)

    def _inline(self, match: re.Match) -> str:
        tag = match.group(0)
        attrs = _attrs(tag)
        photo = self.photo(attrs.get("src", ""))
        if photo is None:
            return tag if "loading=" in tag else tag[:4] + ' loading="lazy"' + tag[4:]
        self.found.append((photo, attrs.get("alt", "")))
        return picture(photo, attrs.get("alt", ""), self.siteurl, lazy=len(self.found) > 1)


class PhotoJob:
    """The photos of one build: the store making the variants, where each photo came from,
    and the published articles' photos for the image sitemap. Reset when a build starts."""

    def __init__(self):
        self.store: photos.Store | None = None
        self.sources: dict[str, str] = {}  # photo digest → the file that names it (for errors)
        self.sitemap: list[tuple[str, list]] = []  # (article URL, [(photo, alt)…])

    def start(self, pelican) -> None:
        cache = Path(pelican.settings.get("CACHE_PATH", "cache")) / "photos"
        self.store = photos.Store._shared = photos.Store(cache)
        self.sources, self.sitemap = {}, []

    def process(self, generator) -> None:
        """Rewrite the photos of every article, choose lead photos, start making the variants."""
        store = self.store
        if store is None:
            return
        output = Path(generator.output_path)
        problems: list[str] = []
        published = set(map(id, generator.articles))
        self.sitemap = []
        for article in generator.articles + generator.hidden_articles + generator.drafts:
            original = getattr(article, "_portal_html", None)
            if original is None:
                original = article._portal_html = article._content
            article.lead_photo, article.photo_key = None, ""
            header_image = getattr(article, "image", "")
            if "<img" not in original and "caption" not in original and not header_image:
                continue
            job = _Article(article, store, generator.settings)
            content = job.rewrite(original)
            lead = None
            if header_image:
                lead = job.photo(header_image)
                if lead is not None and all(p.digest != lead.digest for p, _alt in job.found):
                    content = figure(lead, "", article.title, job.siteurl, lazy=False) + content
                    job.found.insert(0, (lead, article.title))
            problems += job.problems
            article._content = content
            if job.found:
                first, alt = next(((p, a) for p, a in job.found if lead is None or p.digest == lead.digest),
                                  job.found[0])
                article.lead_photo = lead_of(first, alt or article.title)
                article.photo_key = hashlib.sha1(" ".join(p.digest for p, _a in job.found).encode()).hexdigest()
            for photo, _alt in job.found:
                self.sources.setdefault(photo.digest, job.where.get(photo.digest, article.source_path))
                store.publish(photo, output)
            if job.found and id(article) in published:
                self.sitemap.append((article.url, [(p, alt) for p, alt in job.found]))
        if problems:
            stop(problems)

    def finish(self, pelican) -> None:
        store = self.store
        if store is None:
            return
        write_sitemap(pelican.output_path, pelican.settings.get("SITEURL", ""), self.sitemap)
        failed = store.finish()
        if store.made:
            logger.info("photos: %d made, the rest from the cache", store.made)
        if failed:
            stop([f"{self.sources.get(digest, digest)}: {error}" if isinstance(error, photos.PhotoChanged) else
                  f"{self.sources.get(digest, digest)}: ảnh không xử lý được ({error}); mở ảnh bằng phần mềm "
                  "xem ảnh, lưu lại dạng JPEG rồi đưa lại" for digest, error in failed])


photo_job = PhotoJob()


def stop(problems: list[str]) -> None:
    for problem in problems:
        sys.stderr.write(problem + "\n")
    sys.stderr.write(f"Dừng xây dựng trang: {len(problems)} lỗi về ảnh. Sửa các lỗi trên rồi chạy lại "
                     "(kiểm tra nhanh: python -m portal check).\n")
    sys.stderr.flush()
    raise SystemExit(1)


def drop_original_photos(generator) -> None:
    """Photos reach readers only as variants: the originals (with their metadata) stay out."""
    generator.staticfiles = [f for f in generator.staticfiles
                             if Path(f.source_path).suffix.lower() not in photos.SUFFIXES]
    generator.context["staticfiles"] = generator.staticfiles


def write_sitemap(output: str, siteurl: str, articles: list) -> None:
    """``sitemap-anh.xml``: each published article with photos, and its photos (Google's image sitemap)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">']
    for url, found in articles:
        lines.append(f"<url><loc>{html.escape(siteurl)}/{html.escape(url)}</loc>")
        for photo, _alt in found:
            largest = photo.widths()[-1]
            lines.append(f"<image:image><image:loc>{html.escape(siteurl)}/{photo.name(largest, photo.fallback)}"
                         "</image:loc></image:image>")
        lines.append("</url>")
    lines.append("</urlset>")
    Path(output, "sitemap-anh.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def register():
    signals.initialized.connect(photo_job.start)
    signals.article_generator_finalized.connect(photo_job.process)
    signals.static_generator_finalized.connect(drop_original_photos)
    signals.finalized.connect(photo_job.finish)
