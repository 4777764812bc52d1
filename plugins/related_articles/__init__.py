"""Pelican plugin: previous/next and related articles on each article page.

* ``article.prev_article`` / ``article.next_article``: the older / newer article site-wide;
* ``article.related_articles``: up to ``RELATED_ARTICLES_MAX`` (5) articles of the same
  current province unit, nearest in time first (ties: the newer one).
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from pelican import signals

from portal import gazetteer


def link_articles(generator) -> None:
    places = gazetteer.load()
    limit = generator.settings.get("RELATED_ARTICLES_MAX", 5)
    ordered = sorted(generator.articles, key=lambda a: (a.date, a.source_path))
    for index, article in enumerate(ordered):
        article.prev_article = ordered[index - 1] if index > 0 else None
        article.next_article = ordered[index + 1] if index + 1 < len(ordered) else None

    by_unit: dict[str, list] = defaultdict(list)
    for article in ordered:
        for unit in {places.current_of(p).slug for p in getattr(article, "provinces", [])}:
            by_unit[unit].append(article)
    timestamps = {unit: [a.date.timestamp() for a in items] for unit, items in by_unit.items()}

    for article in ordered:
        candidates: dict[int, tuple[float, object]] = {}
        when = article.date.timestamp()
        for unit in {places.current_of(p).slug for p in getattr(article, "provinces", [])}:
            items, stamps = by_unit[unit], timestamps[unit]
            middle = bisect.bisect_left(stamps, when)
            # the nearest in time lie around the article's own position
            for other in items[max(0, middle - limit - 1): middle + limit + 1]:
                if other is not article:
                    candidates[id(other)] = (abs(other.date.timestamp() - when), other)
        nearest = sorted(candidates.values(), key=lambda pair: (pair[0], -pair[1].date.timestamp()))
        article.related_articles = [other for _, other in nearest[:limit]]


def register():
    signals.article_generator_finalized.connect(link_articles)
