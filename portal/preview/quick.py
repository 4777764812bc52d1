"""The preview's quick rebuild: a saved article whose text alone changed.

Most saves change an article's body and nothing any other page shows of it (title, date,
address, provinces, tags, author, summary, status, lead photo). Then only its own page changes: this
module reads the file again, puts the new text into the article the last build left in memory
and renders that one page into the live site (a new file renamed over the old one). The
search index and the feeds, which hold the text too, catch up with the next full build, which
the session runs as soon as the editor pauses (see :mod:`portal.preview.session`).

Anything else — a new, deleted or renamed file, a changed header, an article with photos
that the photos plugin cannot rewrite here, any error — returns False, and the caller runs a
full build, which is always right.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import types

from pelican.contents import Article, Content
from pelican.readers import SkipStub
from pelican.writers import Writer

_VOLATILE = {"article_file"}  # what the checks across files keep (the body's fingerprint changes)


class QuickRebuild:
    """Remembers the last successful full build's articles; :meth:`rebuild` re-renders one page."""

    def __init__(self):
        self.generator = None
        self.final = None

    def remember(self, generator, final: str) -> None:
        self.generator, self.final = generator, final

    def forget(self) -> None:
        self.generator = self.final = None

    def rebuild(self, paths: list[str]) -> bool:
        if self.generator is None or not paths:
            return False
        try:
            updates = [self._update(path) for path in paths]
            if not all(updates):
                return False
            for apply in updates:
                apply()
        except Exception:  # noqa: BLE001 (anything unexpected: the full build decides and reports)
            self.forget()
            return False
        return True

    def _update(self, path: str):
        """A function writing the new page of ``path``, or None when a full build is needed."""
        gen = self.generator
        path = os.path.abspath(path)
        old = next((a for a in gen.articles + gen.drafts if a.source_path == path), None)
        if old is None or not os.path.isfile(path):
            return None
        new = gen.readers.read_file(base_path=gen.path, path=path, content_class=Article, context=gen.context)
        if isinstance(new, SkipStub) or not new.is_valid():  # a problem: the full build reports it
            return None
        same = {k: v for k, v in new.metadata.items() if k not in _VOLATILE}
        if same != {k: v for k, v in old.metadata.items() if k not in _VOLATILE}:
            return None
        raw = new._content
        if raw == getattr(old, "_portal_html", old._content):
            return lambda: None  # saved without a change
        if not self._photos(new, raw):
            return None
        if new.summary != old.summary:  # lists show it
            return None
        if _photo_of(new) != _photo_of(old):  # the lead photo is the thumbnail in lists
            return None
        return lambda: self._write(old, new, raw)

    def _photos(self, article, raw: str) -> bool:
        """Rewrite the article's photos as the photos plugin does in a build; False if it cannot."""
        if "<img" not in raw and "caption" not in raw and not getattr(article, "image", ""):
            return True
        plugin = next((m for m in list(sys.modules.values())
                       if (getattr(m, "__file__", "") or "").endswith(os.path.join("photos", "__init__.py"))
                       and hasattr(m, "photo_job")), None)
        if plugin is None:
            return False
        stand_in = types.SimpleNamespace(articles=[article], hidden_articles=[], drafts=[], output_path=self.final,
                                         settings=self.generator.settings)
        plugin.photo_job.process(stand_in)
        return "<img" not in raw or article._content != raw  # else the plugin did not run as in a build

    def _write(self, old, new, raw: str) -> None:
        for name in ("_content", "lead_photo", "photo_key", "article_file"):
            if hasattr(new, name):
                setattr(old, name, getattr(new, name))
        old._portal_html = raw
        Content.get_content.cache.clear()
        Content.get_summary.cache.clear()
        gen = self.generator
        extra = {"all_articles": gen.articles} if old in gen.drafts else {}
        scratch = tempfile.mkdtemp(prefix=".preview-", dir=os.path.dirname(self.final))
        try:
            writer = Writer(scratch, settings=gen.settings)
            writer.write_file(old.save_as, gen.get_template(old.template), gen.context, article=old,
                              category=getattr(old, "category", None), blog=True, url=old.url,
                              override_output=hasattr(old, "override_save_as"), **extra)
            target = os.path.join(self.final, old.save_as)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.replace(os.path.join(scratch, old.save_as), target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def _photo_of(article) -> tuple:
    return getattr(article, "lead_photo", None), getattr(article, "photo_key", "") or ""
