"""What a reader asks (parameters → a typed, validated :class:`SearchRequest`) and what the
service answers (:class:`SearchResponse` of :class:`Hit`).

Every parameter outside what the service accepts is a :class:`BadRequest` (answered with 400,
never 500); the query itself cannot be wrong, only cut: NFC, no control characters, at most
:data:`MAX_QUERY_CHARS`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from portal import gazetteer, vietnamese

MAX_QUERY_CHARS = 300
MAX_LIMIT = 100
MAX_PAGE = 500
SORTS = ("relevance", "newest")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


class BadRequest(ValueError):
    """A parameter outside what the service accepts (answered with 400, never 500)."""


@dataclass
class SearchRequest:
    q: str = ""
    province: str | None = None
    year: int | None = None
    page: int = 1
    limit: int = 10
    sort: str = "relevance"

    @classmethod
    def from_params(cls, params: dict[str, str]) -> SearchRequest:
        """Validate raw parameters (strings) of the API, the results page or the CLI."""
        q = clean_query(params.get("q") or "")
        province = (params.get("province") or "").strip() or None
        if province is not None and gazetteer.load().by_slug(province) is None:
            raise BadRequest("tỉnh không hợp lệ (dùng slug như 'quang-tri')")
        year = _int_param(params, "year", None, 1900, 2100, "năm")
        page = _int_param(params, "page", 1, 1, MAX_PAGE, "trang")
        limit = _int_param(params, "limit", 10, 1, MAX_LIMIT, "số kết quả")
        sort = (params.get("sort") or "relevance").strip()
        if sort not in SORTS:
            raise BadRequest("sort phải là 'relevance' hoặc 'newest'")
        return cls(q, province, year, page, limit, sort)


def _int_param(params, name, default, low, high, label):
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        raise BadRequest(f"{label} ({name}) phải là số")
    value = int(raw)
    if value < low or (high is not None and value > high):
        bounds = f"từ {low} đến {high}" if high is not None else f"từ {low} trở lên"
        raise BadRequest(f"{label} ({name}) phải {bounds}")
    return value


def clean_query(text: str) -> str:
    """The query as the service reads it: NFC, no control characters, bounded length."""
    text = _CONTROL.sub(" ", vietnamese.nfc(text[: MAX_QUERY_CHARS * 4]))
    return vietnamese.clean_spaces(text)[:MAX_QUERY_CHARS]


@dataclass
class Hit:
    url: str
    title: str
    date: dt.datetime
    province: str
    snippet: str  # HTML: escaped text with <mark> around matches
    score: float
    title_html: str = ""  # HTML: the escaped title with <mark> around matches


@dataclass
class SearchResponse:
    query: str
    total: int = 0
    results: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=lambda: {"province": {}, "year": {}})
    suggestion: str | None = None
    page: int = 1
    pages: int = 0
    limit: int = 10
    sort: str = "relevance"
    understood: object = None  # portal.search.intent.Intent: the place and year of the query

    def as_json(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "sort": self.sort,
            "results": [
                {
                    "url": "/" + hit.url.lstrip("/"),
                    "title": hit.title,
                    "date": hit.date.date().isoformat(),
                    "province": hit.province,
                    "snippet": hit.snippet,
                    "score": round(hit.score, 4),
                }
                for hit in self.results
            ],
            "facets": self.facets,
            "suggestion": self.suggestion,
            "understood": self.understood.as_json() if self.understood else {"province": None, "year": None},
        }
