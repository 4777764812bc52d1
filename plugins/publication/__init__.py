"""Pelican plugin: what a build publishes — drafts and scheduled articles stay out.

* ``Status: draft`` (``Trạng thái: nháp``) is a draft;
* an article dated after the moment of the build (Vietnam time) is *scheduled*: it is
  published by the first build that runs after its date and time (an operator runs a build
  every few minutes, see the README).

Both are left out of every list, page, feed, the sitemap and the search index. A normal
build does not write them at all (``DRAFT_SAVE_AS = ""``); the preview build
(``PORTAL_PREVIEW = True``) writes them at their own address (``DRAFT_URL``) with a banner
("Bản nháp" / "Hẹn giờ đăng: …").

Pelican caches article objects between builds, and its own ``WITH_FUTURE_DATES`` decides
once, when a file is read: a cached scheduled article would stay unpublished after its
time. So the decision is taken here, at every build, from the status the header gave
(``header_status``, set by the reader) and the clock.
"""

from __future__ import annotations

import datetime as dt

from pelican import signals
from pelican.urlwrappers import Category
from pelican.utils import order_content

from portal import dates

SCHEDULED = "scheduled"


class Publication:
    """Sorts a build's articles into published ones and drafts (scheduled ones included)."""

    def __init__(self, now: dt.datetime | None = None):
        self.now = now  # None: the moment of each build (tests may fix one)

    def state_of(self, article, now: dt.datetime) -> str:
        """"published", "draft", "hidden" or "scheduled" for this build."""
        status = getattr(article, "header_status", None) or article.status
        if status == "published" and dates.is_future(article.date, now):
            return SCHEDULED
        return status

    def sort(self, generator) -> None:
        now = self.now or dt.datetime.now(dates.VIETNAM)
        published, drafts = [], []
        for article in generator.articles + generator.drafts:
            state = self.state_of(article, now)
            article.scheduled = state == SCHEDULED
            article.status = "draft" if state in ("draft", SCHEDULED) else state
            (published if article.status == "published" else drafts).append(article)
        for draft in drafts:
            if getattr(draft, "category", None) is None:
                # Pelican's draft writer names a category; the site has none (CATEGORY_SAVE_AS = "")
                draft.category = Category(generator.settings["DEFAULT_CATEGORY"], generator.settings)
        order = generator.settings["ARTICLE_ORDER_BY"]
        generator.articles = order_content(published, order)
        generator.drafts = order_content(drafts, order)


publication = Publication()


def register():
    signals.article_generator_pretaxonomy.connect(publication.sort)
