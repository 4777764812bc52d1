"""``python -m portal search QUERY``: query the index of a built site from the terminal.

Prints a readable Vietnamese listing (title, date, province, address, snippet with the
matches in bold on a terminal or in [brackets] otherwise, then the facets and a suggestion),
or with ``--json`` the API's answer. A parameter the service would refuse exits with status
2, a site without an index with status 1 (build it with ``make html``).
"""

from __future__ import annotations

import html
import json
import os
import re
import sys

from whoosh.index import IndexError as WhooshIndexError

from portal import dates, gazetteer
from portal.search.request import BadRequest, SearchRequest, SearchResponse
from portal.search.searcher import searcher_for

_TAG = re.compile(r"<(/?)(\w+)[^>]*>")


def snippet_text(snippet: str, bold: bool) -> str:
    """Plain text of an HTML snippet, its ``<mark>`` shown in bold (ANSI) or [brackets]."""
    start, end = ("\033[1m", "\033[22m") if bold else ("[", "]")

    def replace(match: re.Match) -> str:
        if match.group(2).lower() != "mark":
            return ""
        return end if match.group(1) else start

    return " ".join(html.unescape(_TAG.sub(replace, snippet)).split())


def _params(args) -> dict[str, str]:
    values = {
        "q": " ".join(args.query),
        "province": args.province,
        "year": args.year,
        "sort": args.sort,
        "page": args.page,
        "limit": args.limit,
    }
    return {key: str(value) for key, value in values.items() if value is not None}


def run(args) -> int:
    try:
        request = SearchRequest.from_params(_params(args))
    except BadRequest as error:
        print(f"search: {error}", file=sys.stderr)
        return 2
    if not request.q and not request.province and not request.year:
        print("search: hãy nhập từ khoá cần tìm", file=sys.stderr)
        return 2
    try:
        response = searcher_for(args.site).search(request)  # no warm-up: one query, then exit
    except (FileNotFoundError, WhooshIndexError, OSError):
        print(
            f"search: không có chỉ mục tìm kiếm dùng được trong {args.site}/; "
            "hãy xây dựng trang trước (make html)",
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(json.dumps(response.as_json(), ensure_ascii=False, indent=2))
    else:
        bold = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        print(format_listing(response, bold))
    return 0


def format_listing(response: SearchResponse, bold: bool = False) -> str:
    lines: list[str] = []
    if response.total:
        pages = f" (trang {response.page}/{response.pages})" if response.pages > 1 else ""
        lines.append(f"Tìm thấy {response.total} kết quả cho “{response.query}”{pages}.")
    else:
        lines.append(f"Không tìm thấy kết quả nào cho “{response.query}”.")
    if response.suggestion:
        lines.append(f"Có phải bạn muốn tìm: {response.suggestion}?")
    first = (response.page - 1) * response.limit + 1
    for number, hit in enumerate(response.results, start=first):
        lines.append("")
        lines.append(f"{number}. {hit.title}")
        meta = dates.short_date(hit.date) + (f" · {hit.province}" if hit.province else "")
        lines.append(f"   {meta}")
        lines.append(f"   /{hit.url.lstrip('/')}")
        text = snippet_text(hit.snippet, bold)
        if text:
            lines.append(f"   {text}")
    if response.total and not response.results:
        lines.append("")
        lines.append(f"(Trang {response.page} không có kết quả; có {response.pages} trang.)")
    places = gazetteer.load()
    facets = []
    for slug, count in response.facets.get("province", {}).items():
        facets.append(f"{places.label_of(slug)} ({count})")
    if facets:
        lines += ["", "Tỉnh, thành phố: " + ", ".join(facets)]
    years = [f"{year} ({count})" for year, count in response.facets.get("year", {}).items()]
    if years:
        lines.append("Năm: " + ", ".join(years))
    return "\n".join(lines)
