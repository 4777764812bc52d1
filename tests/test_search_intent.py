"""Search that understands places and years: the queries of a new reader on the sample site, the
``understood`` part of the API and the chips of the results page."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
import requests

from portal.search.request import SearchRequest
from portal.search.searcher import Searcher
from tests.conftest import build, write_article

NINH_THUAN_2022 = "2022/hoi-nghi-tong-ket-phong-trao-toan-dan-bao-ve-antq-nam-2021"
QUANG_BINH_2012 = "2012/cong-an-tinh-day-manh-phong-trao-toan-dan-bao-ve-antq-nam-2012"


@pytest.fixture(scope="module")
def searcher(sample_site):
    return Searcher(sample_site)


def ask(searcher, q, **params):
    return searcher.search(SearchRequest.from_params({"q": q, **params}))


def urls_of(response):
    return [hit.url.strip("/") for hit in response.results]


def test_khanh_hoa_finds_the_ninh_thuan_article(searcher):
    response = ask(searcher, "khanh hoa")
    assert urls_of(response) == [NINH_THUAN_2022]  # Ninh Thuận is now part of Khánh Hòa
    assert response.suggestion is None  # never "thanh hoa"
    assert response.understood.as_json()["province"] == {
        "slug": "khanh-hoa", "label": "Khánh Hòa", "current": "Khánh Hòa", "url": "/tinh/khanh-hoa/"}


def test_quang_tri_finds_the_2012_quang_binh_article_first(searcher):
    response = ask(searcher, "quang tri")
    assert urls_of(response)[0] == QUANG_BINH_2012
    assert response.results[0].province == "Quảng Bình"


def test_place_and_year_rank_that_place_and_year_first(searcher):
    response = ask(searcher, "ninh binh 2022")
    assert response.understood.as_json() == {
        "province": {"slug": "ninh-binh", "label": "Ninh Bình", "current": "Ninh Bình", "url": "/tinh/ninh-binh/"},
        "year": 2022}
    assert response.results[0].date.year == 2022 and "Ninh Bình" in response.results[0].province
    # the 2023 An Giang article held only "an ninh", "Thanh Bình" and "2022": no match for the place
    assert all("An Giang" not in hit.province for hit in response.results)


@pytest.mark.parametrize("query", ["tp hcm", "TPHCM", "TP.HCM", "sai gon", "thành phố Hồ Chí Minh", "Sài Gòn 2022"])
def test_aliases_of_ho_chi_minh_city_are_the_place(searcher, query):
    response = ask(searcher, query)
    assert response.understood.province.slug == "ho-chi-minh"
    assert response.suggestion is None


@pytest.mark.parametrize("query, slug", [("hue", "hue"), ("tt hue", "thua-thien-hue"), ("tỉnh Quảng Trị", "quang-tri"),
                                         ("Khánh Hoà", "khanh-hoa"), ("cong an tinh khanh hoa", "khanh-hoa"),
                                         ("ninh thuan", "ninh-thuan"), ("cao bang", "cao-bang")])
def test_place_names_in_any_form(searcher, query, slug):
    assert ask(searcher, query).understood.province.slug == slug


def test_words_of_a_longer_phrase_are_no_place(searcher):
    # "an ninh" is held by far more articles than Ninh Bình has
    response = ask(searcher, "an ninh binh thuong")
    assert response.understood.province is None
    assert [w for _, w in response.understood.rest.words] == ["an", "ninh", "binh", "thuong"]


def test_a_year_ranks_first_and_never_hides_other_matches(searcher):
    plain, dated = ask(searcher, "hoi nghi"), ask(searcher, "hoi nghi 2022")
    assert dated.understood.year == 2022
    assert dated.total == plain.total  # no other match hidden
    years = [hit.date.year for hit in dated.results]
    assert years[:2] == [2022, 2022] and 2022 not in years[2:]
    only = ask(searcher, "2022")
    assert [hit.date.year for hit in only.results][:2] == [2022, 2022]
    assert ask(searcher, "1974").understood.year is None  # outside 1975–2100: a word


def test_a_place_only_query_lists_its_articles_newest_first(tmp_path):
    content = tmp_path / "content"
    for year in (2019, 2023, 2021):
        write_article(content, f"kh{year}.md", f"Tin bài số {year}", f"{year}-05-01", "Khánh Hòa",
                      f"Phong trào năm {year}.")
    write_article(content, "nt.md", "Tin Ninh Thuận", "2020-05-01", "Ninh Thuận", "Bài cũ.")
    write_article(content, "hn.md", "Đoàn công tác tới Khánh Hòa", "2024-05-01", "Hà Nội", "Về Khánh Hòa.")
    result = build(content, tmp_path / "out", tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    searcher = Searcher(tmp_path / "out")
    response = ask(searcher, "khanh hoa")
    assert [hit.date.year for hit in response.results] == [2023, 2021, 2020, 2019, 2024]  # own, then named
    dated = ask(searcher, "khanh hoa 2021")
    assert [hit.date.year for hit in dated.results][0] == 2021 and dated.total == 5
    assert ask(searcher, "khanh hoa", sort="newest").results[0].date.year == 2024


# -- over HTTP -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(sample_service):
    return sample_service


def test_api_returns_what_it_understood(server):
    data = requests.get(server.url + "/api/search", params={"q": "khanh hoa 2022"}, timeout=10).json()
    assert data["understood"] == {"province": {"slug": "khanh-hoa", "label": "Khánh Hòa", "current": "Khánh Hòa",
                                               "url": "/tinh/khanh-hoa/"}, "year": 2022}
    assert data["results"][0]["url"] == "/" + NINH_THUAN_2022 + "/"
    plain = requests.get(server.url + "/api/search", params={"q": "an ninh"}, timeout=10).json()
    assert plain["understood"] == {"province": None, "year": None}


def test_results_page_shows_understood_chips(server):
    html = requests.get(server.url + "/tim-kiem/", params={"q": "khanh hoa 2022"}, timeout=10).text
    main = html.split('<main id="noi-dung"', 1)[1]
    chips = re.findall(r'<li class="chip">(.*?)</li>', main, re.S)
    assert len(chips) == 2
    assert "Tỉnh: Khánh Hòa" in chips[0] and 'href="/tinh/khanh-hoa/"' in chips[0]
    assert 'href="/tim-kiem/?q=2022"' in chips[0]  # removing the place keeps the year
    assert "Năm: 2022" in chips[1] and unescape('href="/tim-kiem/?q=khanh+hoa"') in chips[1]
    assert html.count('type="search"') == 1  # one search box on the results page
    assert "<details" in main and main.index("<details") < main.index('class="results"')


def test_empty_results_page_offers_ways_on(server):
    html = requests.get(server.url + "/tim-kiem/", params={"q": "tp hcm ma tuy"}, timeout=10).text
    main = html.split('<main id="noi-dung"', 1)[1]
    assert "Không tìm thấy" in main and main.count("Không") == 1
    assert 'href="/tinh/ho-chi-minh/"' in main and 'href="/tinh/"' in main
    assert "/tim-kiem/?q=tp+hcm+ma" in main  # fewer words


def test_a_place_alone_keeps_its_words_and_every_link_has_a_name(server):
    """"tp hcm" (no article): the place page is offered, not "tp" (half the place's name); on
    every results page each link has text (the pager is not the site's list of pages)."""
    from bs4 import BeautifulSoup

    html = requests.get(server.url + "/tim-kiem/", params={"q": "tp hcm"}, timeout=10).text
    main = html.split('<main id="noi-dung"', 1)[1]
    assert 'href="/tinh/ho-chi-minh/"' in main and "q=tp&" not in main and "q=tp\"" not in main
    assert "bỏ bớt từ cuối" not in main
    for q in ("tp hcm", "an ninh to quoc", "khanh hoa 2022", "2022 hoi nghi tong ket"):
        page = BeautifulSoup(requests.get(server.url + "/tim-kiem/", params={"q": q}, timeout=10).text, "html.parser")
        assert all(a.get_text(strip=True) or a.get("aria-label") for a in page.find_all("a")), q


# -- ranking and highlighting -----------------------------------------------------------------


def test_abbreviation_typed_ranks_titles_that_write_it_first(searcher):
    response = ask(searcher, "ANTQ")
    assert {hit.url.strip("/") for hit in response.results[:2]} == {NINH_THUAN_2022, QUANG_BINH_2012}


def test_a_remembered_title_without_diacritics_comes_first(searcher):
    for title, url in [("hoi nghi tong ket phong trao toan dan bao ve antq nam 2021", NINH_THUAN_2022),
                       ("cong an tinh day manh phong trao", QUANG_BINH_2012)]:
        assert urls_of(ask(searcher, title))[0] == url


def test_titles_and_adjacent_syllables_are_one_highlight(searcher):
    hit = ask(searcher, "an ninh to quoc").results[0]
    assert "<mark>an ninh Tổ quốc</mark>" in hit.title_html
    assert "<mark>an ninh Tổ quốc</mark>" in hit.snippet or "<mark>an ninh tổ quốc</mark>" in hit.snippet.lower()


def _marks_on_results_page(server, q: str) -> list[tuple[str, list[str]]]:
    """(title or snippet text, its marked texts folded) for each result on the results page."""
    from bs4 import BeautifulSoup

    from portal import vietnamese

    html = requests.get(server.url + "/tim-kiem/", params={"q": q}, timeout=10).text
    soup = BeautifulSoup(html, "html.parser")
    return [(part.get_text(), [vietnamese.fold(m.get_text().lower()) for m in part.find_all("mark")])
            for part in soup.select("ol.results .teaser-title, ol.results .snippet")]


@pytest.mark.parametrize("q", ["an ninh tổ quốc", "an ninh to quoc", "ANTQ"])
def test_a_lone_syllable_of_the_matched_phrase_is_not_marked(server, q):
    """Every sample article holds the phrase (or ANTQ): only the phrase and its abbreviation are
    marked, never the "an" of "Công an" nor "an tổ" of "Công an tổ chức"."""
    parts = _marks_on_results_page(server, q)
    assert len(parts) == 10 and sum(1 for _, marks in parts if marks) >= 8
    for text, marks in parts:
        assert set(marks) <= {"an ninh to quoc", "antq"}, (text, marks)
    assert any("Công an" in text for text, _ in parts)  # the stray syllables were there


def test_without_the_phrase_each_run_of_syllables_is_one_mark(server):
    parts = _marks_on_results_page(server, "cong an")
    assert all(set(marks) <= {"cong an"} for _, marks in parts)
    title, marks = parts[0]
    assert marks and set(marks) == {"cong an"}
    parts = _marks_on_results_page(server, "tong ket hoi nghi")  # no article holds them in this order
    assert any({"tong ket", "hoi nghi"} <= set(marks) for _, marks in parts)


def test_bench_readers_reports_r_precision_per_kind(tmp_path):
    import subprocess
    import sys

    from portal import corpus
    from tests.conftest import ROOT, needs_shared

    needs_shared(corpus.DEFAULT_CORPUS)
    result = subprocess.run([sys.executable, "-m", "portal", "bench", "readers", "--articles", "300"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout[result.stdout.index("{"):])["results"]
    assert {"place", "place_year", "known_item"} <= set(figures)
    assert figures["place"]["r_precision"] >= 0.9 and figures["known_item"]["r_precision"] >= 0.9


def test_a_misspelt_place_is_suggested_as_a_place(searcher):
    assert ask(searcher, "khanh hao").suggestion == "khanh hoa"
    assert ask(searcher, "Khánh Hoa ánh").suggestion != "thanh hoa"
