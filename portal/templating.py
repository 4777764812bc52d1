"""Jinja filters of the theme (``JINJA_FILTERS`` in ``pelicanconf.py``)."""

from __future__ import annotations

import datetime as dt

from jinja2 import pass_context
from markupsafe import Markup

from portal import dates, gazetteer, urls, vietnamese


def iso_date(value: dt.datetime) -> str:
    return value.isoformat()


def province_url(province: gazetteer.Province) -> str:
    """Relative URL of the page that lists ``province`` (a continuing unit shares its page)."""
    return urls.PROVINCE_URL.format(slug=province.page.slug)


def province_year_url(province: gazetteer.Province, year: int) -> str:
    base = province_url(province)
    return urls.PROVINCE_YEAR_URL.format(slug=base.split("/")[1], year=year)


def current_unit(province: gazetteer.Province) -> gazetteer.Province:
    return province.current


def vi_datetime(value: dt.datetime) -> str:
    """ "Thứ Sáu, 10/02/2012, 10:59" (time only when set)."""
    return dates.format_date(value, with_time=True)


def capitalize_first(text: str) -> str:
    """ "tỉnh An Giang" → "Tỉnh An Giang" (Jinja's capitalize lowers the rest)."""
    return text[:1].upper() + text[1:]


def _attribute(item, path: str):
    """``item`` followed along a Jinja-like path: "0.name" is ``item[0].name``."""
    for part in path.split("."):
        if part.isdigit():
            item = item[int(part)]
        elif hasattr(item, part):
            item = getattr(item, part)
        else:
            item = item[part]
    return item


def vi_sort(items, attribute: str | None = None) -> list:
    """``items`` in Vietnamese alphabetical order (of ``attribute``, e.g. "0.name", when given)."""
    if attribute is None:
        return sorted(items, key=lambda item: vietnamese.sort_key(str(item)))
    return sorted(items, key=lambda item: vietnamese.sort_key(str(_attribute(item, attribute))))


@pass_context
def teaser(context, article, level: int = 2, compact: bool = False) -> Markup:
    """An article's teaser (``_teaser.html``), rendered once per Jinja environment — one per
    generator, so one per build — and reused on every page that lists the article: the related
    articles and latest news of every article page, the province, year, tag and author pages."""
    environment = context.environment
    siteurl = context.get("SITEURL", "")
    memo = environment.__dict__.setdefault("_portal_teasers", {})
    key = (id(article), level, compact, siteurl)
    found = memo.get(key)
    if found is None or found[0] is not article:  # the article is kept: its id is not reused
        module = memo.get(siteurl)
        if module is None:
            module = memo[siteurl] = environment.get_template("_teaser.html").make_module({"SITEURL": siteurl})
        found = memo[key] = (article, Markup(module.teaser(article, level, compact)))
    return found[1]


FILTERS = {
    "vi_date": dates.format_date,
    "vi_datetime": vi_datetime,
    "short_date": dates.short_date,
    "iso_date": iso_date,
    "province_url": province_url,
    "province_year_url": province_year_url,
    "current_unit": current_unit,
    "capitalize_first": capitalize_first,
    "vi_sort": vi_sort,
    "teaser": teaser,
}
