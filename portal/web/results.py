"""The results page ``/tim-kiem/``: a search response as the theme's ``search.html`` shows it,
with facets, sorting, paging and the suggestion as plain links."""

from __future__ import annotations

from urllib.parse import urlencode

from markupsafe import Markup

from portal import gazetteer, urls, vietnamese
from portal.search.request import MAX_PAGE, SearchRequest, SearchResponse


def page_context(request: SearchRequest, response: SearchResponse) -> dict:
    """The template context of the results page for ``request`` answered by ``response``."""
    places = gazetteer.load()

    def url(**changes) -> str:
        return search_url(request, **changes)

    provinces = []
    for slug, count in response.facets.get("province", {}).items():
        selected = slug == request.province
        provinces.append({
            "label": places.label_of(slug), "slug": slug, "count": count, "selected": selected,
            "url": url(province=None if selected else slug),
        })
    provinces.sort(key=lambda item: vietnamese.sort_key(item["label"]))  # as every list of provinces
    if request.province and not any(item["selected"] for item in provinces):
        provinces.insert(0, {  # a former unit: shown so it can be removed
            "label": places.label_of(request.province), "slug": request.province,
            "count": response.total, "selected": True, "url": url(province=None),
        })
    years = []
    for year, count in response.facets.get("year", {}).items():
        selected = request.year is not None and str(request.year) == year
        years.append({"label": year, "count": count, "selected": selected,
                      "url": url(year=None if selected else year)})
    if request.year and not any(item["selected"] for item in years):
        years.insert(0, {"label": str(request.year), "count": response.total, "selected": True,
                         "url": url(year=None)})

    results = [
        {
            "url": hit.url, "title": hit.title, "date": hit.date, "province_label": hit.province,
            "snippet": Markup(hit.snippet),  # escaped text with <mark>, from search.snippets
            "title_html": Markup(hit.title_html),  # the same for the title
        }
        for hit in response.results
    ]
    page_count = max(response.pages, 1)
    return {
        "chips": chips(request, response, url),
        "fewer_words_url": _fewer_words_url(request, response, url),
        "province_index_url": urls.PROVINCE_INDEX_URL,
        "query": request.q,
        "results": results,
        "total": response.total,
        "current_page": request.page,
        "page_count": page_count,
        "facets": {"province": provinces, "year": years},
        "suggestion": response.suggestion,
        "suggestion_url": url(q=response.suggestion) if response.suggestion else None,
        "sort": request.sort,
        "sort_urls": {key: url(sort=key) for key in ("relevance", "newest")},
        "prev_url": url(page=min(request.page - 1, page_count)) if request.page > 1 else None,
        "next_url": url(page=request.page + 1) if request.page < min(response.pages, MAX_PAGE) else None,
        # not "pages": the site's templates list the site's own pages under that name (footer)
        "pager": [{"number": n, "url": url(page=n)} if n else None
                  for n in page_numbers(request.page, min(page_count, MAX_PAGE))],
    }


def chips(request: SearchRequest, response: SearchResponse, url) -> list[dict]:
    """What narrows the results, each removable: the place and year read from the query
    (removing one takes its words out of the query), then the filters chosen."""
    places, found = gazetteer.load(), []
    intent = response.understood
    if intent is not None and intent.province is not None:
        found.append({"label": f"Tỉnh: {intent.province.label}", "remove_url": url(q=intent.without_place),
                      "page_url": urls.PROVINCE_URL.format(slug=intent.province.slug),
                      "page_label": f"Trang {intent.province.label}"})
    if intent is not None and intent.year is not None:
        found.append({"label": f"Năm: {intent.year}", "remove_url": url(q=intent.without_year)})
    if request.province:
        label = places.label_of(request.province)
        found.append({"label": f"Lọc tỉnh: {label}", "remove_url": url(province=None),
                      "page_url": urls.PROVINCE_URL.format(slug=request.province), "page_label": f"Trang {label}"})
    if request.year:
        found.append({"label": f"Lọc năm: {request.year}", "remove_url": url(year=None)})
    return found


def _fewer_words_url(request: SearchRequest, response: SearchResponse, url) -> str | None:
    """The query without its last word, for an empty result (None for one word); a place or a
    year read from the query stays whole ("tp hcm ma tuy" → "tp hcm ma"; "tp hcm" → None)."""
    intent = response.understood
    if intent is None or not intent.named or intent.rest.phrases or intent.rest.excluded:
        words = request.q.split()
        return url(q=" ".join(words[:-1])) if len(words) > 1 else None
    rest = [exact for exact, _ in intent.rest.words]
    return url(q=" ".join([intent.named, *rest[:-1]])) if rest else None


def page_numbers(current: int, last: int, window: int = 2) -> list[int | None]:
    """The pages a pager names: first, last and ``window`` around ``current``; None for a gap."""
    shown = sorted({1, last, *range(max(1, current - window), min(last, current + window) + 1)})
    numbered: list[int | None] = []
    for number in shown:
        if numbered and number - numbered[-1] > 1:
            numbered.append(None)
        numbered.append(number)
    return numbered


def search_url(request: SearchRequest, **changes) -> str:
    """Site-relative URL of the results page for ``request`` with ``changes`` (None drops one).

    Changing a filter, the query or the sort goes back to the first page.
    """
    values = {"q": request.q, "province": request.province, "year": request.year,
              "sort": request.sort, "page": request.page}
    if set(changes) - {"page"}:
        values["page"] = 1
    values.update(changes)
    params = [(key, str(values[key])) for key in ("q", "province", "year", "sort", "page") if values[key]]
    params = [(k, v) for k, v in params if not (k == "sort" and v == "relevance") and not (k == "page" and v == "1")]
    return urls.SEARCH_URL + ("?" + urlencode(params) if params else "")
