"""Pelican's steps that grow with the square of the site, made linear.

At 35,000 articles two steps of Pelican 4.12's article generator took minutes of every build
(the preview's full rebuilds and the ``pelican`` command alike), each comparing every article
with a list of thousands:

* the year pages (``_build_period_archives``) find each year's articles with ``a in dates``,
  a list: :func:`linear` gives the portal's Pelican class (:mod:`portal.build`) a generator
  that lets Pelican build the archives without that list, then fills it by identity;
* ``process_translations`` keeps what is not a translation with ``x not in index``, a list:
  the site has no translations, and ``ARTICLE_TRANSLATION_ID = None`` in ``pelicanconf.py``
  skips the step (two articles at one address are the portal's own error, see
  :func:`portal.validation.check_collection`).
"""

from __future__ import annotations

from pelican.generators import ArticlesGenerator


class _YearPages:
    def _build_period_archives(self, sorted_articles, articles, settings):
        archives = super()._build_period_archives(sorted_articles, [], settings)
        for periods in archives.values():
            for archive in periods:
                members = {id(article) for article in archive["dates"]}
                archive["articles"] = [article for article in articles if id(article) in members]
        return archives


def linear(generator_class: type) -> type:
    """``generator_class`` with linear year pages (same name: the cache file keeps its name)."""
    if not issubclass(generator_class, ArticlesGenerator):
        return generator_class
    return type(generator_class.__name__, (_YearPages, generator_class), {"__module__": generator_class.__module__})
