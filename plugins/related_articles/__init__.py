"""Pelican plugin: previous/next and related articles on each article page.

* ``article.prev_article`` / ``article.next_article``: the older / newer article site-wide;
* ``article.related_articles``: up to ``RELATED_ARTICLES_MAX`` (5) other articles: those of the
  same current province unit, nearest in time first (ties: the newer one); when the unit has
  fewer, articles sharing its tags fill the list, most shared tags first, then nearest in time.
  Never the article itself, never one twice.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from pelican import signals


class _Neighbours:
    """Articles grouped under keys (a unit, a tag), each group in time order, for nearest look-ups."""

    def __init__(self):
        self.groups: dict[str, list] = defaultdict(list)

    def add(self, key: str, article) -> None:
        self.groups[key].append(article)

    def freeze(self) -> None:
        self.stamps = {key: [a.date.timestamp() for a in items] for key, items in self.groups.items()}

    def near(self, key: str, article, width: int) -> list:
        """Up to ``width`` articles of the group on each side of ``article`` in time."""
        items, stamps = self.groups.get(key, []), self.stamps.get(key, [])
        middle = bisect.bisect_left(stamps, article.date.timestamp())
        return [other for other in items[max(0, middle - width - 1): middle + width + 1] if other is not article]


def _units(article) -> set[str]:
    return {p.current.slug for p in getattr(article, "provinces", [])}


def _tags(article) -> set[str]:
    return {tag.slug for tag in getattr(article, "tags", None) or []}


def link_articles(generator) -> None:
    limit = generator.settings.get("RELATED_ARTICLES_MAX", 5)
    ordered = sorted(generator.articles, key=lambda a: (a.date, a.source_path))
    for index, article in enumerate(ordered):
        article.prev_article = ordered[index - 1] if index > 0 else None
        article.next_article = ordered[index + 1] if index + 1 < len(ordered) else None

    by_unit, by_tag = _Neighbours(), _Neighbours()
    for article in ordered:
        for unit in _units(article):
            by_unit.add(unit, article)
        for tag in _tags(article):
            by_tag.add(tag, article)
    by_unit.freeze()
    by_tag.freeze()

    for article in ordered:
        when = article.date.timestamp()

        def distance(other, when=when):
            return abs(other.date.timestamp() - when), -other.date.timestamp()

        same_unit = {id(o): o for unit in _units(article) for o in by_unit.near(unit, article, limit)}
        related = sorted(same_unit.values(), key=distance)[:limit]
        if len(related) < limit:
            tags = _tags(article)
            sharing = {id(o): o for tag in tags for o in by_tag.near(tag, article, limit)}
            for key in list(same_unit):
                sharing.pop(key, None)
            ranked = sorted(sharing.values(), key=lambda o: (-len(tags & _tags(o)), *distance(o)))
            related += ranked[: limit - len(related)]
        article.related_articles = related


def register():
    signals.article_generator_finalized.connect(link_articles)
