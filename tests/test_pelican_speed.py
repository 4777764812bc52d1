"""Pelican's year pages built in linear time list what Pelican's own code lists."""

from __future__ import annotations

import datetime as dt
import types

from pelican.generators import ArticlesGenerator

from portal.pelican_speed import linear


def test_year_pages_list_the_same_articles_as_pelicans():
    articles = [types.SimpleNamespace(date=dt.datetime(2012 + i % 5, 1 + i % 12, 1 + i % 28)) for i in range(60)]
    newest_first = sorted(articles, key=lambda a: a.date, reverse=True)
    by_date = sorted(articles, key=lambda a: a.date)
    settings = {"YEAR_ARCHIVE_SAVE_AS": "nam/{date:%Y}/index.html", "YEAR_ARCHIVE_URL": "nam/{date:%Y}/",
                "MONTH_ARCHIVE_SAVE_AS": "", "MONTH_ARCHIVE_URL": "", "DAY_ARCHIVE_SAVE_AS": "", "DAY_ARCHIVE_URL": ""}
    fast_class = linear(ArticlesGenerator)
    assert fast_class.__name__ == "ArticlesGenerator"  # Pelican names its cache file after it
    expected = ArticlesGenerator._build_period_archives(object.__new__(ArticlesGenerator), by_date, newest_first,
                                                        settings)
    got = fast_class._build_period_archives(object.__new__(fast_class), by_date, newest_first, settings)
    assert [a["url"] for a in got["year"]] == [a["url"] for a in expected["year"]] and len(got["year"]) == 5
    for mine, pelicans in zip(got["year"], expected["year"], strict=True):
        assert mine["articles"] == pelicans["articles"] and mine["dates"] == pelicans["dates"]
        assert mine["period"] == pelicans["period"] and mine["save_as"] == pelicans["save_as"]
