"""The site as a Vietnamese reader uses it: alphabetical order, related articles, paging, labels."""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata
from urllib.parse import urlencode

import pytest
import requests

from portal import vietnamese
from portal.service_process import ServiceProcess
from tests.conftest import ROOT, build, page, write_article

# An oracle written apart from portal.vietnamese: word by word, letter by letter in the
# Vietnamese alphabet, tone marks (none, huyền, hỏi, ngã, sắc, nặng) only to settle a tie.
ALPHABET = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")
TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]


def oracle(text: str):
    letters, tones = [], []
    for word in unicodedata.normalize("NFC", text).lower().split():
        word_letters, word_tones = [], []
        for char in word:
            parts = unicodedata.normalize("NFD", char)
            tone = next((TONES.index(c) for c in parts if c in TONES[1:]), 0)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            word_letters.append(ALPHABET.index(base) if base in ALPHABET else -1000 + ord(base))
            word_tones.append(tone)
        letters.append(word_letters)
        tones.append(word_tones)
    return letters, tones


def assert_vietnamese_order(names: list[str]) -> None:
    assert len(names) > 1
    assert names == sorted(names, key=oracle)


@pytest.mark.parametrize("before, after", [
    ("Cao Bằng", "Cần Thơ"), ("Cà Mau", "Cao Bằng"), ("Cần Thơ", "Đà Nẵng"), ("Dương Liễu", "Đức Thắng"),
    ("Đắk Lắk", "Điện Biên"), ("Hà Nội", "Hải Phòng"), ("Huế", "Hưng Yên"), ("Bạc Liêu", "Bắc Ninh"),
    ("ma", "mà"), ("mà", "mả"), ("mả", "mã"), ("mã", "má"), ("má", "mạ"), ("An Giang", "Anh"),
    ("Lào Cai", "Lâm Đồng"), ("Ô Môn", "Ơn"), ("Ủy ban", "Ưng Hòa"),
])
def test_sort_key_follows_the_vietnamese_alphabet(before, after):
    assert vietnamese.sort_key(before) < vietnamese.sort_key(after)
    assert oracle(before) < oracle(after)


def test_sort_key_ignores_tone_placement_and_keeps_texts_apart():
    assert vietnamese.sort_key("Khánh Hoà")[:2] == vietnamese.sort_key("Khánh Hòa")[:2]
    assert vietnamese.sort_key("an giang") != vietnamese.sort_key("An Giang")


def test_vi_sort_filter_sorts_by_an_attribute_path():
    from portal.templating import vi_sort

    pairs = [({"name": "Đức Thắng"}, 1), ({"name": "Dương Liễu"}, 2), ({"name": "A.T"}, 3)]
    assert [p[1] for p in vi_sort(pairs, "0.name")] == [3, 2, 1]
    assert vi_sort(["Cần Thơ", "Cao Bằng", "Cà Mau"]) == ["Cà Mau", "Cao Bằng", "Cần Thơ"]


def test_province_index_in_vietnamese_order_and_compact(sample_site):
    doc = page(sample_site, "tinh/")
    units = doc.select("main .unit-list > li:not(.unit-national)")
    assert len(units) == 34
    names = [li.find("a").get_text(strip=True) for li in units]
    assert_vietnamese_order(names)
    assert names.index("Cao Bằng") < names.index("Cần Thơ") < names.index("Đà Nẵng")
    for li in units:  # the former provinces under each unit too
        formers = [a.get_text(strip=True) for a in li.select(".former-list a, .unit-formers a")]
        if len(formers) > 1:
            assert_vietnamese_order(formers)
    # units without articles: one quiet line, no bold card
    empty = doc.select("main .unit-list > li.unit-empty")
    assert len(empty) == 34 - 4  # the sample articles are in 4 of today's units
    assert all(li.select_one(".unit-name, .former-list") is None for li in empty)
    assert doc.select_one("main .unit-national a")["href"] == "/tinh/toan-quoc/"


def test_tags_and_authors_in_vietnamese_order(sample_site):
    tags = [a.get_text(strip=True) for a in page(sample_site, "chu-de/").select("main .term-list a")]
    authors = [a.get_text(strip=True) for a in page(sample_site, "tac-gia/").select("main .term-list a")]
    assert_vietnamese_order(tags)
    assert_vietnamese_order(authors)
    assert authors.index("Dương Liễu") < authors.index("Đức Thắng") < authors.index("Minh Trung")
    chips = page(sample_site, "nam/2022/").select("main .year-nav .chips a")
    labels = [a.contents[0].strip() for a in chips]
    assert_vietnamese_order(labels)


def test_every_sample_article_has_related_articles(sample_site):
    for path in sorted(sample_site.glob("20*/*/index.html")):
        url = "/" + str(path.parent.relative_to(sample_site)) + "/"
        doc = page(sample_site, url)
        related = [a["href"] for a in doc.select("section.related .teaser-title a")]
        assert related, url
        assert url not in related and len(related) == len(set(related)), url


def test_no_doubled_brackets_in_labels(sample_site):
    for path in sorted(sample_site.rglob("*.html")):
        doc = page(sample_site, str(path.relative_to(sample_site)))
        for part in doc.select(".article-body, .teaser-summary"):
            part.decompose()  # the articles' own words
        text = doc.title.get_text() + " " + doc.body.get_text(" ", strip=True)
        assert not re.search(r"\)\s*\(|\(\s*\(|\)\s*\)", text), path


def test_province_page_shows_its_feed_and_a_search_box(sample_site):
    doc = page(sample_site, "tinh/quang-tri/")
    feed = doc.select_one("main a[type='application/atom+xml']")
    assert feed["href"] == "/feeds/tinh/quang-tri.atom.xml"
    assert (sample_site / "feeds/tinh/quang-tri.atom.xml").is_file()
    form = doc.select_one("main form[role=search]")
    assert form["action"] == "/tim-kiem/" and form.get("method", "get") == "get"
    assert form.select_one("input[type=hidden][name=province]")["value"] == "quang-tri"
    label = form.find("label", attrs={"for": form.select_one("input[name=q]")["id"]})
    assert "Quảng Trị" in label.get_text()


def test_province_search_box_submits_the_province_filter(sample_site, tmp_path):
    doc = page(sample_site, "tinh/quang-tri/")
    form = doc.select_one("main form[role=search]")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
    fields["q"] = "hội nghị"
    service = ServiceProcess(sample_site, tmp_path / "serve.log")
    try:
        reply = requests.get(service.url + form["action"] + "?" + urlencode(fields), timeout=30)
    finally:
        service.stop()
    assert reply.status_code == 200
    results = page_of(reply.text)
    # every sample article speaks of a "hội nghị"; only the Quảng Bình one is in Quảng Trị
    assert [li.select_one(".places").get_text(strip=True) for li in results.select("ol.results > li")] == [
        "Quảng Bình"]
    assert "Quảng Trị" in results.select_one("section.facet li.is-selected").get_text()


def page_of(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """130 articles of Cần Thơ in 2024 (7 pages), a few in 2022 and 2023, and two loners."""
    work = tmp_path_factory.mktemp("many")
    content = work / "content"
    for number in range(130):
        write_article(content, f"2024/a{number:03d}.md", f"Tin số {number} về Cần Thơ",
                      f"2024-{number // 28 + 1:02d}-{number % 28 + 1:02d}", "Cần Thơ", tags="Tin địa phương")
    for year in (2022, 2023):
        write_article(content, f"{year}/ct.md", f"Cần Thơ năm {year}", f"{year}-05-01", "Cần Thơ")
    write_article(content, "2021/le.md", "Điện Biên tổ chức ngày hội", "2021-08-01", "Điện Biên",
                  tags="Ngày hội riêng")
    write_article(content, "2020/le.md", "Lai Châu tổ chức ngày hội", "2020-08-01", "Lai Châu",
                  tags="Ngày hội riêng, Khác")
    result = build(content, work / "out", work / "cache")
    assert result.returncode == 0, result.stderr
    return work / "out"


def _pager(doc):
    nav = doc.select_one("main nav.pagination")
    numbers = [a.get_text(strip=True) for a in nav.select("a") if a.get_text(strip=True).isdigit()]
    current = nav.select_one("[aria-current=page]").get_text(strip=True)
    return nav, numbers, current


def test_numbered_paging(many):
    # 132 articles on the unit page of today's Cần Thơ: 7 pages of 20
    first = page(many, "tinh/can-tho/")
    nav, numbers, current = _pager(first)
    assert current.endswith("1") and numbers == ["2", "3", "7"]
    assert nav.find("a", rel="prev") is None and nav.find("a", rel="next")["href"] == "/tinh/can-tho/trang/2/"
    middle = page(many, "tinh/can-tho/trang/4/")
    nav, numbers, current = _pager(middle)
    assert current.endswith("4") and numbers == ["1", "2", "3", "5", "6", "7"]
    assert nav.find("a", rel="prev")["href"] == "/tinh/can-tho/trang/3/"
    assert nav.find("a", rel="next")["href"] == "/tinh/can-tho/trang/5/"
    assert nav.select_one("a[aria-label*='Trang đầu']")["href"] == "/tinh/can-tho/"
    assert nav.select_one("a[aria-label*='Trang cuối']")["href"] == "/tinh/can-tho/trang/7/"
    nav, numbers, current = _pager(page(many, "tinh/can-tho/trang/7/"))
    assert current.endswith("7") and numbers == ["1", "5", "6"] and nav.find("a", rel="next") is None
    for number in range(2, 8):  # every page the pager names exists
        assert (many / f"tinh/can-tho/trang/{number}/index.html").is_file()
    _, numbers, _ = _pager(page(many, ""))  # the home page too
    assert numbers == ["2", "3", "7"]
    assert page(many, "trang/2/").select_one("main nav.pagination a[aria-label*='Trang đầu']") is None


def _steps(doc):
    nav = doc.select_one("main nav.year-steps")
    return {li["class"][0]: li.a["href"] for li in nav.select("li")} if nav else {}


def test_year_pages_link_previous_and_next_year(many):
    assert _steps(page(many, "nam/2022/")) == {"year-steps-older": "/nam/2021/", "year-steps-newer": "/nam/2023/"}
    assert _steps(page(many, "nam/2024/")) == {"year-steps-older": "/nam/2023/"}
    assert _steps(page(many, "nam/2020/")) == {"year-steps-newer": "/nam/2021/"}


def test_province_year_pages_link_the_provinces_other_years(many):
    doc = page(many, "tinh/can-tho/2023/")
    assert _steps(doc) == {"year-steps-older": "/tinh/can-tho/2022/", "year-steps-newer": "/tinh/can-tho/2024/"}
    chips = {a["href"] for a in doc.select("main .year-nav a")}
    assert {"/tinh/can-tho/2022/", "/tinh/can-tho/2024/", "/tinh/can-tho/"} <= chips
    assert doc.select_one("main .year-nav a[aria-current=page]")["href"] == "/tinh/can-tho/2023/"


def test_related_falls_back_to_shared_tags(many):
    # Alone in its province, an article is related to the one sharing its tag, not to itself
    doc = page(many, "2021/dien-bien-to-chuc-ngay-hoi/")
    related = [a["href"] for a in doc.select("section.related .teaser-title a")]
    assert related == ["/2020/lai-chau-to-chuc-ngay-hoi/"]
    # the province comes first: five of Cần Thơ, nearest in time (January 2024 before May 2022)
    doc = page(many, "2023/can-tho-nam-2023/")
    related = [a["href"] for a in doc.select("section.related .teaser-title a")]
    assert related == [f"/2024/tin-so-{n}-ve-can-tho/" for n in range(5)]


def test_make_html_says_where_the_site_is(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}  # not a sub-make
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "html", f"OUTPUT={tmp_path / 'site'}",
         "PELICANOPTS=-q"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
    )
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert str(tmp_path / "site") in last and "make serve" in last
    assert (tmp_path / "site" / "index.html").is_file()


def test_search_facets_in_vietnamese_order_and_numbered_result_pages():
    from portal.search.request import SearchRequest, SearchResponse
    from portal.web.results import page_context, page_numbers

    request = SearchRequest(q="an ninh", page=5)
    response = SearchResponse("an ninh", total=120, pages=12,
                              facets={"province": {"lai-chau": 5, "dien-bien": 3, "can-tho": 1, "cao-bang": 1},
                                      "year": {}})
    context = page_context(request, response)
    labels = [item["label"] for item in context["facets"]["province"]]
    assert labels == ["Cao Bằng", "Cần Thơ", "Điện Biên", "Lai Châu"]
    numbers = [p and p["number"] for p in context["pager"]]
    assert numbers == [1, None, 3, 4, 5, 6, 7, None, 12]
    assert context["pager"][0]["url"] == "tim-kiem/?q=an+ninh"
    assert context["pager"][-1]["url"] == "tim-kiem/?q=an+ninh&page=12"
    assert page_numbers(1, 1) == [1] and page_numbers(2, 4) == [1, 2, 3, 4]


def test_search_results_page_has_numbered_pages(many, tmp_path):
    service = ServiceProcess(many, tmp_path / "serve.log")
    try:
        reply = requests.get(service.url + "/tim-kiem/", params={"q": "cần thơ", "page": "5"}, timeout=30)
    finally:
        service.stop()
    assert reply.status_code == 200
    nav = page_of(reply.text).select_one("main nav.pagination")
    numbers = [a.get_text(strip=True) for a in nav.select("a") if a.get_text(strip=True).isdigit()]
    assert numbers[:1] == ["1"] and {"3", "4", "6", "7"} <= set(numbers)
    assert nav.select_one("[aria-current=page]").get_text(strip=True).endswith("5")
    assert nav.find("a", rel="prev")["href"].endswith("page=4")
    assert nav.find("a", rel="next")["href"].endswith("page=6")
