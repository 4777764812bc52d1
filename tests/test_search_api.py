"""The search service over HTTP: the real ``python -m portal serve`` on a freshly built sample site."""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import shutil
import sys
import threading
import time
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from portal import web
from portal.search.request import MAX_LIMIT, BadRequest, SearchRequest
from portal.search.schema import SCHEMA_VERSION
from portal.service_process import ServiceProcess
from tests.helpers_server import build_site, copy_content, raw_get

ARTICLE_2012 = "/2012/cong-an-tinh-day-manh-phong-trao-toan-dan-bao-ve-antq-nam-2012/"
ARTICLE_2021 = "/2022/hoi-nghi-tong-ket-phong-trao-toan-dan-bao-ve-antq-nam-2021/"
ARTICLE_2019 = "/2019/hoi-nghi-tong-ket-phong-trao-toan-dan-bao-ve-an-ninh-to-quoc/"
PAYLOAD = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("api")
    return build_site(work / "out", work / "cache")


@pytest.fixture(scope="module")
def server(site, tmp_path_factory):
    service = ServiceProcess(site, tmp_path_factory.mktemp("api-log") / "serve.log")
    yield service
    service.stop()


def api(server, **params):
    response = requests.get(server.url + "/api/search", params=params, timeout=10)
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return response, response.json()


def page(server, path="/tim-kiem/", **params):
    response = requests.get(server.url + path, params=params, timeout=10)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return response


def links(html: str, pattern: str = r"/tim-kiem/") -> list[str]:
    return [unescape(href) for href in re.findall(r'<a href="([^"]*)"', html) if re.search(pattern, href)]


def main_part(html: str) -> str:
    return html.split('<main id="noi-dung"', 1)[1].split("</main>", 1)[0]


# -- the API -------------------------------------------------------------------------------


def test_api_finds_sample_articles_with_highlighted_snippets(server):
    response, data = api(server, q="an ninh to quoc")
    assert response.status_code == 200
    assert data["query"] == "an ninh to quoc"
    assert data["total"] >= 4
    urls = [hit["url"] for hit in data["results"]]
    assert ARTICLE_2019 in urls
    for hit in data["results"]:
        assert hit["url"].startswith("/") and hit["url"].endswith("/")
        assert hit["title"] and hit["province"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", hit["date"])
        assert "<mark" in hit["snippet"]
        assert isinstance(hit["score"], float)
    assert set(data["facets"]) == {"province", "year"}
    assert data["facets"]["province"] and data["facets"]["year"]


@pytest.mark.parametrize(
    "query, expected",
    [("ANTQ", [ARTICLE_2012, ARTICLE_2019]), ("antq", [ARTICLE_2012, ARTICLE_2019]),
     ("uy ban nhan dan", [ARTICLE_2012]), ("UBND", [ARTICLE_2019]), ("Quảng Bình", [ARTICLE_2012])],
)
def test_api_abbreviations_and_diacritics(server, query, expected):
    _, data = api(server, q=query, limit="20")
    urls = [hit["url"] for hit in data["results"]]
    for url in expected:
        assert url in urls, (query, urls)


def test_api_province_filter_follows_mergers(server):
    _, merged = api(server, q="ANTQ", province="quang-tri")
    assert [hit["url"] for hit in merged["results"]] == [ARTICLE_2012]
    assert merged["results"][0]["province"] == "Quảng Bình"
    _, former = api(server, q="ANTQ", province="quang-binh")
    assert [hit["url"] for hit in former["results"]] == [ARTICLE_2012]
    # the province facet ignores its own filter (so another province can be chosen)
    assert len(merged["facets"]["province"]) > 1
    assert merged["facets"]["year"] == {"2012": 1}


def test_api_year_filter_and_newest_first(server):
    _, data = api(server, q="an ninh", year="2022")
    assert data["total"] == 2
    assert all(hit["date"].startswith("2022-") for hit in data["results"])
    assert data["facets"]["year"]["2022"] == 2 and len(data["facets"]["year"]) > 1

    _, newest = api(server, q="an ninh", sort="newest")
    dates = [hit["date"] for hit in newest["results"]]
    assert len(dates) == 5 and dates == sorted(dates, reverse=True)
    assert newest["sort"] == "newest"


def test_api_paging_and_limit_bounds(server):
    _, everything = api(server, q="an ninh", limit="100")
    seen = []
    for number in (1, 2, 3):
        _, data = api(server, q="an ninh", limit="2", page=str(number))
        assert data["page"] == number and data["pages"] == 3 and data["total"] == 5
        seen += [hit["url"] for hit in data["results"]]
    assert sorted(seen) == sorted(hit["url"] for hit in everything["results"])
    assert len(set(seen)) == 5
    _, beyond = api(server, q="an ninh", limit="2", page="4")
    assert beyond["results"] == [] and beyond["total"] == 5

    response, largest = api(server, q="an ninh", limit="100")
    assert response.status_code == 200 and largest["pages"] == 1
    for too_many in ("101", "1000"):  # as the README promises: a bad parameter is a 400, not clamped
        response, refused = api(server, q="an ninh", limit=too_many)
        assert response.status_code == 400 and "limit" in refused["error"] and "100" in refused["error"]
    with pytest.raises(BadRequest):
        SearchRequest.from_params({"limit": str(MAX_LIMIT + 1)})


def test_api_suggests_a_spelling(server):
    _, data = api(server, q="hoi nghij")
    assert data["total"] == 0 and data["results"] == []
    assert data["suggestion"] == "hoi nghi"
    _, fixed = api(server, q=data["suggestion"])
    assert fixed["total"] > 0


def test_api_suggestion_prefers_the_nearest_word(server):
    # whoosh's Corrector scores by maxdist, not by distance: "tinh" (distance 2) once beat "binh"
    _, data = api(server, q="quang binhh")
    assert data["suggestion"] == "quang binh"


def test_api_abbreviation_in_title_ranks_first(server):
    # either form in the title ("ANTQ" or "an ninh Tổ quốc") puts an article first
    _, data = api(server, q="ANTQ")
    title = data["results"][0]["title"].lower()
    assert "antq" in title or "an ninh tổ quốc" in title
    assert ARTICLE_2012 in [hit["url"] for hit in data["results"]]


@pytest.mark.parametrize(
    "params, message",
    [({"q": "x", "page": "abc"}, "page"), ({"q": "x", "year": "1800"}, "year"),
     ({"q": "x", "province": "atlantis"}, "slug"), ({"q": "x", "sort": "oldest"}, "sort"),
     ({"q": "x", "limit": "-3"}, "limit")],
)
def test_api_bad_parameters_are_400_json(server, params, message):
    response, data = api(server, **params)
    assert response.status_code == 400
    assert set(data) == {"error"} and message in data["error"]


# -- the results page ----------------------------------------------------------------------


def test_results_page_lists_highlighted_results_with_plain_links(server):
    response = page(server, q="an ninh to quoc")
    assert response.status_code == 200
    html = response.text
    assert "<title>Tìm “an ninh to quoc” — An ninh Tổ quốc</title>" in html
    assert '<link rel="stylesheet" href="/theme/css/portal.css">' in html  # the site's own layout
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert "<script" not in html  # works without JavaScript
    body = main_part(html)
    assert "<mark" in body and f'href="{ARTICLE_2019}"' in body
    assert "Tìm thấy <strong>5</strong> kết quả" in body
    facet_links = links(body, r"province=")
    assert "/tim-kiem/?q=an+ninh+to+quoc&province=quang-tri" in facet_links
    assert "/tim-kiem/?q=an+ninh+to+quoc&sort=newest" in links(body, r"sort=")
    assert ">Quảng Trị</a>" in body and ">2012</a>" in body
    for name in ("X-Content-Type-Options", "Content-Security-Policy", "Referrer-Policy"):
        assert name in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_results_page_filters_toggle_and_sort_by_links(server):
    body = main_part(page(server, q="an ninh to quoc").text)
    facet = next(href for href in links(body, "province=quang-tri"))
    filtered = requests.get(server.url + facet, timeout=10)
    html = main_part(filtered.text)
    assert filtered.status_code == 200
    assert '<li class="is-selected"><a href="/tim-kiem/?q=an+ninh+to+quoc" aria-current="true">Quảng Trị' in html
    assert "Tìm thấy <strong>1</strong> kết quả" in html
    assert f'href="{ARTICLE_2012}"' in html and "Quảng Bình" in html

    # the year facet keeps the province; the selected province link removes it
    year_link = next(href for href in links(html, "year=2012"))
    assert parse_qs(urlsplit(year_link).query) == {"q": ["an ninh to quoc"], "province": ["quang-tri"],
                                                   "year": ["2012"]}
    both = main_part(requests.get(server.url + year_link, timeout=10).text)
    assert both.count('class="is-selected"') == 2

    newest = main_part(requests.get(server.url + "/tim-kiem/?q=an+ninh&sort=newest", timeout=10).text)
    assert '<strong aria-current="true">Mới nhất</strong>' in newest
    years = re.findall(r'<time datetime="(\d{4})', newest)
    assert years == sorted(years, reverse=True) and len(years) == 5


def test_results_page_former_province_filter_can_be_removed(server):
    html = main_part(page(server, q="ANTQ", province="quang-binh").text)
    assert '<li class="is-selected"><a href="/tim-kiem/?q=ANTQ" aria-current="true">Quảng Bình' in html


def test_results_page_pagination_and_suggestion_links(server):
    html = main_part(page(server, q="an ninh", page="2").text)
    assert 'href="/tim-kiem/?q=an+ninh" rel="prev"' in html
    assert "Không có bài viết nào khớp" in html

    html = main_part(page(server, q="hoi nghij").text)
    assert 'Có phải bạn muốn tìm: <a href="/tim-kiem/?q=hoi+nghi">hoi nghi</a>?' in html


def test_results_page_without_query_and_with_bad_parameters(server):
    empty = page(server)
    assert empty.status_code == 200 and "Nhập từ khoá" in empty.text
    bad = page(server, q=PAYLOAD, year="abc")
    assert bad.status_code == 400
    assert 'class="notice notice-error"' in bad.text and "năm (year)" in bad.text
    assert PAYLOAD not in bad.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in bad.text


# -- hostile input -------------------------------------------------------------------------

HOSTILE_QUERIES = [
    '"unbalanced', 'an "ninh', '""', '"', "-", "--", '-"', "- - -", "-an", '-"an ninh"', "*", "?", "a* b?",
    "an*", "title:ANTQ", "content:an AND NOT ninh", "(((", ")", "[a TO z]", "{x}", "an~2", "an^10",
    "AND OR NOT", "\\", "%", "%%", "&&", "||", "!", PAYLOAD, '"><img src=x onerror=alert(1)>', "{{7*7}}",
    "{% raw %}", "\x00\x01\x1b[31m\x7f", "\u202eRTL\u200b\u2028\ufeff", "🙂🚓" * 50, "a" + "\u0301" * 3000,
    "ǅ İ ß ﬁ", "an ninh " * 2500, "x" * 20000, "đ" * 20000, " ".join(["an"] * 5000),
    " ".join(f'"{w}' for w in ["an", "ninh"] * 2000), "\ufffd\ufffe\uffff", "0" * 20000,
]
HOSTILE_QUERY_STRINGS = [
    "q=%ff%fe", "q=%ff%fe%fd&province=%ff", "q=%", "q=%zz%4", "q=an%00ninh", "q=%c0%af..%c0%af",
    "q=a&q=b&q=c", "q=an&page=-1", "q=an&page=0", "q=an&page=99999999999999999999", "q=an&page=1e3",
    "q=an&page=%EF%BC%91", "q=an&page=%D9%A1", "q=an&page=+1", "q=an&page=", "q=an&page=501",
    "q=an&limit=-5", "q=an&limit=0", "q=an&limit=abc", "q=an&limit=10000000", "q=an&limit=1.5",
    "q=an&year=abc", "q=an&year=1800", "q=an&year=99999", "q=an&year=-2012", "q=an&year=2012&year=2013",
    "q=an&province=..%2F..%2Fetc", "q=an&province=%3Cscript%3E", "q=an&province=QUANG-TRI",
    "q=an&province=quang-tri&province=an-giang", "q=an&sort=newest%00", "q=an&sort=", "q=an&sort=RELEVANCE",
    "q", "=", "&&&", "q=&province=quang-tri", "q=&year=2012", "province=quang-tri&year=2012",
    "q=an&unknown=1", "q=an+ninh&q=", "q=" + "a%20" * 7000,
]


def _check_hostile(server, path: str, query_string: str) -> requests.Response:
    response = requests.get(f"{server.url}{path}?{query_string}", timeout=10)
    assert response.status_code < 500, (path, query_string[:80], response.status_code)
    assert "Traceback" not in response.text and 'File "' not in response.text
    return response


@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=lambda q: repr(q[:24]))
def test_hostile_queries_are_answered(server, query):
    for path in ("/api/search", "/tim-kiem/"):
        params = {"q": query}
        response = requests.get(server.url + path, params=params, timeout=10)
        assert response.status_code == 200, (path, response.status_code)
        assert "Traceback" not in response.text
        if path == "/api/search":
            data = response.json()
            assert len(data["query"]) <= 300 and "\x00" not in data["query"]
        else:
            body = response.text
            assert PAYLOAD not in body and "<img src=x" not in body
            assert body.count("<script") == 0


@pytest.mark.parametrize("query_string", HOSTILE_QUERY_STRINGS, ids=lambda q: q[:40])
def test_hostile_query_strings_never_fail(server, query_string):
    _check_hostile(server, "/api/search", query_string)
    response = _check_hostile(server, "/tim-kiem/", query_string)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_invalid_utf8_is_replaced_not_refused(server):
    status, body = raw_get(server.port, "/api/search?q=an%ff%fe+ninh")
    assert status == 200
    assert json.loads(body)["total"] > 0


def test_huge_queries_answer_quickly(server):
    queries = ["an ninh tổ quốc " * 1300, "x" * 20000, '"a -b ' * 3400, "ANTQ UBND CSGT " * 1400,
               " ".join(f"từ{n}" for n in range(4000))]
    def timed(path, query):
        started = time.perf_counter()
        response = requests.get(server.url + path, params={"q": query}, timeout=10)
        assert response.status_code == 200
        return time.perf_counter() - started

    # against an ordinary query timed now, so a busy machine does not fail it; a blow-up still does
    ordinary = sorted(timed("/tim-kiem/", "hội nghị tổng kết") for _ in range(5))[2]
    for query in queries:
        assert len(query) >= 19000
        for path in ("/api/search", "/tim-kiem/"):
            elapsed = timed(path, query)
            assert elapsed < 0.5 + 10 * ordinary, (path, query[:30], elapsed, ordinary)


def test_no_errors_were_logged(server):
    # runs after the hostile tests of this module (file order): no exception reached the catch-all
    log = server.log()
    assert "Traceback" not in log and " 500 " not in log, log[-3000:]


# -- static files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, content_type",
    [("/", "text/html; charset=utf-8"), (ARTICLE_2012, "text/html; charset=utf-8"),
     ("/index.html", "text/html; charset=utf-8"), ("/theme/css/portal.css", "text/css; charset=utf-8"),
     ("/theme/images/favicon.svg", "image/svg+xml"), ("/feeds/all.atom.xml", "application/atom+xml; charset=utf-8"),
     ("/sitemap.xml", "application/xml; charset=utf-8"), ("/robots.txt", "text/plain; charset=utf-8")],
)
def test_static_files(server, site, path, content_type):
    response = requests.get(server.url + path, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "ETag" in response.headers and "Last-Modified" in response.headers and "Cache-Control" in response.headers
    file = site / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
    assert response.content == file.read_bytes()
    again = requests.get(server.url + path, headers={"If-None-Match": response.headers["ETag"]}, timeout=10)
    assert again.status_code == 304 and again.content == b""


def test_missing_pages_use_the_site_404(server, site):
    response = requests.get(server.url + "/khong-co-trang-nay/", timeout=10)
    assert response.status_code == 404
    assert response.content == (site / "404.html").read_bytes()
    assert "Content-Security-Policy" in response.headers


def test_directory_without_slash_redirects(server):
    response = requests.get(server.url + "/tinh?x=1", allow_redirects=False, timeout=10)
    assert response.status_code == 301 and response.headers["Location"] == "/tinh/?x=1"
    response = requests.get(server.url + "/tim-kiem?q=an", allow_redirects=False, timeout=10)
    assert response.status_code == 301 and response.headers["Location"] == "/tim-kiem/?q=an"
    status, _ = raw_get(server.port, "//evil.example/")  # never an open redirect
    assert status == 404


TRAVERSALS = [
    "/../pelicanconf.py", "/../../../../etc/passwd", "/%2e%2e/pelicanconf.py", "/%2E%2E/%2E%2E/etc/passwd",
    "/..%2fpelicanconf.py", "/..%2f..%2f..%2f..%2fetc%2fpasswd", "/theme/../../pelicanconf.py",
    "/tinh/%2e%2e/%2e%2e/pelicanconf.py", "/..\\pelicanconf.py", "/%5c..%5cpelicanconf.py", "/..%5c..%5cetc/passwd",
    "/%252e%252e/pelicanconf.py", "/etc/passwd", "//etc/passwd", "/%2fetc%2fpasswd", "/./pelicanconf.py",
    "/index.html%00.css", "/%00", "/%00/../pelicanconf.py", "/%c0%ae%c0%ae/pelicanconf.py", "/.%2e/pelicanconf.py",
    "/C:/Windows/win.ini", "/%ff%fe", "/" + "a/" * 2000, "/" + "%2e%2e/" * 50 + "etc/passwd",
    "/leak-file", "/leak-dir/pelicanconf.py", "/leak-dir/", "/index-link/manifest.json", "/.hidden",
    "/.render-manifest.json", "/%2erender-manifest.json",
    "/search-index/manifest.json", "/search-index/", "/search-index", "/./search-index/manifest.json",
    "/tinh/../search-index/manifest.json", "/%73earch-index/manifest.json", "/SEARCH-INDEX/manifest.json",
]


@pytest.mark.parametrize("target", TRAVERSALS, ids=lambda t: t[:50])
def test_nothing_outside_the_site_nor_the_index_is_served(server, site, target):
    if not (site / "leak-file").exists():
        os.symlink("/etc/passwd", site / "leak-file")
        os.symlink(web.ROOT, site / "leak-dir")
        os.symlink(site / "search-index", site / "index-link")
        (site / ".hidden").write_text("secret", encoding="utf-8")
    for method in ("GET", "HEAD"):
        status, body = raw_get(server.port, target, method)
        assert status in (400, 404), (target, status)
        assert b"root:" not in body and b"SITENAME" not in body and b"secret" not in body
        assert b'"documents"' not in body and b"Traceback" not in body


def test_well_known_is_served_and_special_files_are_not(server, site):
    (site / ".well-known").mkdir(exist_ok=True)
    (site / ".well-known" / "security.txt").write_text("Contact: mailto:a@example.vn\n", encoding="utf-8")
    response = requests.get(server.url + "/.well-known/security.txt", timeout=10)
    assert response.status_code == 200 and response.text.startswith("Contact:")
    if not (site / "fifo").exists():
        os.mkfifo(site / "fifo")
    assert requests.get(server.url + "/fifo", timeout=5).status_code == 404  # and no thread blocks on it


def test_head_and_methods(server):
    for path in ("/", ARTICLE_2012, "/api/search?q=ANTQ", "/tim-kiem/?q=ANTQ", "/nope/"):
        head = requests.head(server.url + path, timeout=10)
        get = requests.get(server.url + path, timeout=10)
        assert head.status_code == get.status_code
        assert head.content == b""
        assert int(head.headers["Content-Length"]) == len(get.content)
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        for path in ("/", "/api/search?q=an", "/tim-kiem/?q=an"):
            response = requests.request(method, server.url + path, data=b"x", timeout=10)
            assert response.status_code == 405, (method, path)
            assert response.headers["Allow"] == "GET, HEAD"


def test_concurrent_queries_agree_with_sequential_ones(server):
    queries = [{"q": q, "sort": s} for q in ("an ninh", "ANTQ", "hội nghị", "uy ban nhan dan", "quoc")
               for s in ("relevance", "newest")]
    expected = [api(server, **params)[1] for params in queries]
    session_local = threading.local()

    def ask(index: int):
        session = getattr(session_local, "session", None) or requests.Session()
        session_local.session = session
        params = queries[index % len(queries)]
        return index, session.get(server.url + "/api/search", params=params, timeout=10).json()

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        for index, data in pool.map(ask, range(120)):
            assert data == expected[index % len(queries)]


# -- a build while the service runs ---------------------------------------------------------

NEW_ARTICLE = """\
Title: Ra mắt mô hình camera an ninh Xuyêndương ở khu dân cư
Date: 2024-05-06 09:30
Province: Quảng Trị
Tags: Mô hình
Slug: ra-mat-mo-hinh-camera

Khu dân cư Xuyêndương ra mắt mô hình camera an ninh, góp phần bảo vệ an ninh trật tự.
"""


def test_service_follows_a_rebuild(tmp_path):
    content = copy_content(tmp_path / "content")
    out = build_site(tmp_path / "out", tmp_path / "cache", content)
    service = ServiceProcess(out, tmp_path / "serve.log")
    try:
        session = requests.Session()
        before = session.get(service.url + "/api/search", params={"q": "xuyendương"}, timeout=10).json()
        assert before["total"] == 0
        new = content / "2024" / "ra-mat-mo-hinh-camera.md"
        new.parent.mkdir()
        new.write_text(NEW_ARTICLE, encoding="utf-8")

        statuses: list[int] = []
        stop = threading.Event()

        def hammer():
            with requests.Session() as client:
                while not stop.is_set():
                    statuses.append(client.get(service.url + "/api/search", params={"q": "an ninh"}, timeout=10)
                                    .status_code)

        worker = threading.Thread(target=hammer)
        worker.start()
        try:
            build_site(out, tmp_path / "cache", content)
        finally:
            stop.set()
            worker.join()
        assert statuses and set(statuses) <= {200, 503}  # 503 only in the microseconds of the swap

        after = session.get(service.url + "/api/search", params={"q": "Xuyêndương"}, timeout=10).json()
        assert [hit["url"] for hit in after["results"]] == ["/2024/ra-mat-mo-hinh-camera/"]
        assert session.get(service.url + "/2024/ra-mat-mo-hinh-camera/", timeout=10).status_code == 200
        html = session.get(service.url + "/tim-kiem/", params={"q": "xuyendương"}, timeout=10).text
        assert 'href="/2024/ra-mat-mo-hinh-camera/"' in html
        assert "Traceback" not in service.log()
    finally:
        service.stop()


# -- without an index -----------------------------------------------------------------------


def test_site_without_index_answers_503(tmp_path, site):
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("index.html", "404.html"):
        (bare / name).write_bytes((site / name).read_bytes())
    app = web.make_app(bare)

    def call(path, query=""):
        seen = {}

        def start_response(status, headers):
            seen["status"], seen["headers"] = status, dict(headers)

        body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query}, start_response))
        return int(seen["status"].split()[0]), seen["headers"], body

    status, headers, body = call("/api/search", "q=an")
    assert status == 503 and "error" in json.loads(body)
    status, headers, body = call("/tim-kiem/", "q=an")
    assert status == 503 and "tạm thời chưa sẵn sàng".encode() in body
    status, _, _ = call("/")
    assert status == 200


def test_runs_under_waitress_serve_with_app_from_env(site, tmp_path):
    waitress_serve = str(Path(sys.executable).with_name("waitress-serve"))
    service = ServiceProcess(
        site, tmp_path / "waitress.log",
        command=lambda port: [waitress_serve, f"--listen=127.0.0.1:{port}", "--call", "portal.web:app_from_env"],
        env={**os.environ, "PORTAL_SITE": str(site), "PYTHONPATH": str(web.ROOT)},
    )
    try:
        assert requests.get(service.url + "/api/search", params={"q": "ANTQ"}, timeout=10).json()["total"] == 5
        assert requests.get(service.url + "/", timeout=10).status_code == 200
    finally:
        service.stop()


def test_index_of_another_schema_answers_503(tmp_path, site):
    old = tmp_path / "old"
    shutil.copytree(site / "search-index", old / "search-index")
    manifest = old / "search-index" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["schema"] = SCHEMA_VERSION - 1  # written by an older version: its format may differ
    manifest.write_text(json.dumps(data), encoding="utf-8")
    app = web.make_app(old)
    seen = {}
    body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": "/api/search", "QUERY_STRING": "q=an"},
                        lambda status, headers: seen.update(status=status)))
    assert seen["status"].startswith("503") and "make html" in json.loads(body)["error"]



def test_status_reports_the_index_and_its_warm_up(server, tmp_path):
    deadline = time.monotonic() + 30
    while True:
        response = requests.get(server.url + "/api/status", timeout=10)
        assert response.status_code == 200
        data = response.json()
        assert data["documents"] == 5
        if data["ready"] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert data["ready"] is True
    seen = {}
    app = web.make_app(tmp_path)  # a folder without an index
    app({"REQUEST_METHOD": "GET", "PATH_INFO": "/api/status", "QUERY_STRING": ""},
        lambda status, headers: seen.update(status=status))
    assert seen["status"].startswith("503")
