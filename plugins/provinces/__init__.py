"""Pelican plugin: province pages, province-by-year pages and province feeds.

Articles keep the province they were written in (``article.provinces``); readers of today look
for the unit it belongs to now. So:

* ``/tinh/`` lists the 34 current units with their article counts, the former provinces
  merged into each listed under it, and "Toàn quốc";
* ``/tinh/<slug>/`` of a current unit lists its own articles and those of its former
  provinces (each labelled with the province it was written in); the page of a former
  province lists its articles and says which unit it belongs to since the merger;
* ``/tinh/<slug>/<yyyy>/`` lists one province's articles of one year, linked from the
  province page and from the year page ``/nam/<yyyy>/``;
* ``feeds/tinh/<slug>.atom.xml`` is the Atom feed of each province page.

It also puts ``province_index``, ``year_index`` and ``year_provinces`` in the context of every
template. URL patterns come from :mod:`portal.urls`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter

from pelican import signals
from pelican.generators import Generator

from portal import gazetteer, urls, vietnamese


@dataclass
class Entry:
    """One line of an index: a province (or a year) with its URL and article count."""

    url: str
    count: int = 0
    province: gazetteer.Province | None = None
    year: int | None = None
    formers: list[Entry] = field(default_factory=list)


def _newest_first(articles):
    return sorted(articles, key=attrgetter("date"), reverse=True)


def _name_order(province: gazetteer.Province):
    return vietnamese.sort_key(province.label)


class ProvinceGenerator(Generator):
    """Writes the province pages and feeds from the articles already read."""

    def generate_context(self):
        places = gazetteer.load()
        self.places = places
        articles = self.context.get("articles", [])

        by_page: dict[str, list] = defaultdict(list)  # page slug -> articles
        for article in articles:
            slugs = set()
            for province in getattr(article, "provinces", []):
                slugs.add(province.page.slug)
                slugs.add(province.current.slug)
            for slug in slugs:
                by_page[slug].append(article)
        self.by_page = {slug: _newest_first(items) for slug, items in by_page.items()}

        self.pages: list[gazetteer.Province] = []  # provinces that get a page
        index = []
        for unit in sorted(places.current, key=_name_order):
            entry = self._entry(unit)
            for former in places.formers_of(unit):
                entry.formers.append(self._entry(former.page, count_of=former))
            index.append(entry)
            self.pages.append(unit)
            self.pages.extend(f for f in places.formers_of(unit) if places.has_own_page(f))
        index.append(self._entry(places.national))
        self.pages.append(places.national)

        years: dict[int, int] = defaultdict(int)
        year_provinces: dict[int, dict[str, Entry]] = defaultdict(dict)
        for article in articles:
            year = article.date.year
            years[year] += 1
            for province in getattr(article, "provinces", []):
                shown = province.page
                entry = year_provinces[year].setdefault(
                    shown.slug, Entry(urls.PROVINCE_YEAR_URL.format(slug=shown.slug, year=year), 0, shown, year)
                )
                entry.count += 1

        self.context["province_index"] = index
        self.context["year_index"] = [
            Entry(urls.YEAR_URL.format(date=_Year(year)), count, year=year)
            for year, count in sorted(years.items(), reverse=True)
        ]
        self.context["year_provinces"] = {
            year: sorted(entries.values(), key=lambda e: _name_order(e.province))
            for year, entries in year_provinces.items()
        }
        self.context["SEARCH_URL"] = urls.SEARCH_URL

    def _entry(self, province: gazetteer.Province, count_of: gazetteer.Province | None = None) -> Entry:
        url = urls.PROVINCE_URL.format(slug=province.slug)
        if count_of is None:
            count = len(self.by_page.get(province.slug, []))
        else:  # a former province sharing its unit's page: count its own articles only
            count = sum(1 for a in self.by_page.get(province.slug, []) if count_of in a.provinces)
        return Entry(url, count, province)

    def generate_output(self, writer):
        template = self.get_template("province")
        index_template = self.get_template("provinces")
        writer.write_file(
            urls.save_as(urls.PROVINCE_INDEX_URL), index_template, self.context,
            url=urls.PROVINCE_INDEX_URL, template_name="provinces",
        )
        for province in self.pages:
            self._write_province(writer, template, province)

    def _write_province(self, writer, template, province):
        places = self.places
        articles = self.by_page.get(province.slug, [])
        url = urls.PROVINCE_URL.format(slug=province.slug)
        feed_url = urls.PROVINCE_FEED_URL.format(slug=province.slug)
        current = province.current
        formers = [
            Entry(urls.PROVINCE_URL.format(slug=f.page.slug), province=f)
            for f in places.formers_of(province)
        ]
        by_year: dict[int, list] = defaultdict(list)
        for article in articles:
            by_year[article.date.year].append(article)
        years = [
            Entry(urls.PROVINCE_YEAR_URL.format(slug=province.slug, year=year), len(items), year=year)
            for year, items in sorted(by_year.items(), reverse=True)
        ]
        common = dict(
            province=province, current=current, formers=formers, years=years,
            feed_url=feed_url, province_url=url,
        )
        writer.write_file(
            urls.save_as(url), template, self.context, paginated={"articles": articles},
            template_name="province", url=url, articles=articles, year=None, page_url=url, **common,
        )
        for entry in years:
            writer.write_file(
                urls.save_as(entry.url), template, self.context,
                paginated={"articles": by_year[entry.year]}, template_name="province",
                url=entry.url, articles=by_year[entry.year], year=entry.year, page_url=entry.url, **common,
            )
        if articles:
            writer.write_feed(
                articles, self.context, feed_url, feed_url,
                feed_title=f"{self.settings['SITENAME']} — {province.label}",
            )


class _Year:
    """Lets ``YEAR_URL`` ("nam/{date:%Y}/") be formatted from a bare year."""

    def __init__(self, year: int):
        self.year = year

    def __format__(self, spec: str) -> str:
        return str(self.year) if spec == "%Y" else format(self.year, spec)


def get_generators(_pelican):
    return ProvinceGenerator


def register():
    signals.get_generators.connect(get_generators)
