"""The sample site, built by Pelican and read back with BeautifulSoup."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from urllib.parse import urlparse

import pytest

from portal import gazetteer, templating, validation
from tests.conftest import ROOT, build, page, soup, write_article

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def articles():
    """The sample articles as the checks read them: url → ArticleFile."""
    loaded = [validation.load(p) for p in validation.content_files(ROOT / "content")]
    assert all(a.ok for a in loaded), [str(p) for a in loaded for p in a.problems]
    return {a.url: a for a in loaded}


def listed_urls(doc, selector="main .teaser-title a"):
    return {a["href"].strip("/") + "/" for a in doc.select(selector)}


def test_every_internal_link_resolves(sample_site):
    pages = list(sample_site.rglob("*.html"))
    assert len(pages) > 50
    broken = []
    for html in pages:
        for tag in soup(html).select("[href], [src]"):
            link = tag.get("href") or tag.get("src")
            parsed = urlparse(link)
            if parsed.scheme or parsed.netloc or link.startswith(("#", "mailto:")):
                continue
            path = parsed.path
            if path.startswith("/tim-kiem/") or path.startswith("/api/"):
                continue  # answered by the search service
            assert path.startswith("/"), f"{html}: relative link {link}"
            target = sample_site / path.lstrip("/")
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append(f"{html.relative_to(sample_site)} → {link}")
    assert not broken, broken


def test_every_page_is_vietnamese_and_accessible(sample_site):
    for html in sample_site.rglob("*.html"):
        doc = soup(html)
        assert doc.html["lang"] == "vi", html
        assert len(doc.find_all("h1")) == 1, html
        levels = [int(h.name[1]) for h in doc.find_all(re.compile(r"^h[1-6]$"))]
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (html, levels)
        assert doc.find("main") and doc.find("header") and doc.find("footer") and doc.find("nav"), html
        skip = doc.find("a", href="#noi-dung")
        assert skip is not None and doc.find(id="noi-dung") is not None, html
        assert doc.find("form", attrs={"role": "search"}), html
        for image in doc.find_all("img"):
            assert image.has_attr("alt"), (html, image)


def test_article_page(sample_site, articles):
    doc = page(sample_site, "2012/cong-an-tinh-day-manh-phong-trao-toan-dan-bao-ve-antq-nam-2012/")
    assert doc.h1.get_text(strip=True) == "Công an tỉnh: Đẩy mạnh phong trào toàn dân bảo vệ ANTQ năm 2012"
    time = doc.select_one("article time")
    assert time.get_text(strip=True) == "Thứ Sáu, 10/02/2012, 10:59"
    assert time["datetime"].startswith("2012-02-10T10:59")
    text = doc.select_one("article").get_text(" ", strip=True)
    assert "A.T" in text and "Quảng Bình điện tử (QBĐT)" in text
    hrefs = {a["href"] for a in doc.select("article a")}
    assert {"/tinh/quang-binh/", "/tinh/quang-tri/", "/nam/2012/", "/tinh/quang-binh/2012/", "/tac-gia/a-t/"} <= hrefs
    assert "nay thuộc" in text
    assert any(h.startswith("/chu-de/") for h in hrefs)
    # a caption stays a caption, the article's own words stay as written (typo included)
    assert doc.select_one(".article-body .caption").get_text().endswith("Ảnh: A.T")
    assert "lực lượng nồng cốt" in doc.select_one(".article-body").get_text()


@pytest.mark.parametrize(
    ("url", "date"),
    [
        ("2022/bo-cong-an-to-chuc-hoi-nghi-truc-tuyen-tong-ket-cong-tac-to-chuc-ngay-hoi-toan/", "Thứ Năm, 24/11/2022"),
        ("2022/hoi-nghi-tong-ket-phong-trao-toan-dan-bao-ve-antq-nam-2021/", "Thứ Tư, 19/01/2022"),
        ("2019/hoi-nghi-tong-ket-phong-trao-toan-dan-bao-ve-an-ninh-to-quoc/", "Thứ Ba, 12/03/2019"),
    ],
)
def test_vietnamese_dates(sample_site, url, date):
    assert page(sample_site, url).select_one("article time").get_text(strip=True) == date


def test_related_and_previous_next(sample_site):
    doc = page(sample_site, "2022/hoi-nghi-tong-ket-phong-trao-toan-dan-bao-ve-antq-nam-2021/")
    assert doc.find("a", rel="prev")["href"] == "/2019/hoi-nghi-tong-ket-phong-trao-toan-dan-bao-ve-an-ninh-to-quoc/"
    assert doc.find("a", rel="next")["href"].startswith("/2022/bo-cong-an")


def _expected_by_page(articles) -> dict[str, set[str]]:
    """Province page slug → URLs it must list (own articles, plus merged ones for a unit)."""
    places = gazetteer.load()
    expected: dict[str, set[str]] = defaultdict(set)
    for url, article in articles.items():
        for province in article.provinces:
            expected[templating.province_url(province).split("/")[1]].add(url)
            expected[places.current_of(province).slug].add(url)
    return expected


def test_each_province_page_lists_exactly_its_articles(sample_site, articles):
    expected = _expected_by_page(articles)
    places = gazetteer.load()
    for province in places.all_units():
        if not places.has_own_page(province):
            continue
        doc = page(sample_site, f"tinh/{province.slug}/")
        assert listed_urls(doc) == expected.get(province.slug, set()), province.slug


def test_merged_unit_lists_former_province_articles_labelled(sample_site):
    doc = page(sample_site, "tinh/quang-tri/")
    teaser = doc.select_one("main .teaser")
    expected = "/2012/cong-an-tinh-day-manh-phong-trao-toan-dan-bao-ve-antq-nam-2012/"
    assert teaser.select_one(".teaser-title a")["href"] == expected
    assert "Quảng Bình" in teaser.get_text()
    assert {"/tinh/quang-binh/", "/tinh/quang-tri-cu/"} <= {a["href"] for a in doc.select("main a")}


def test_former_province_page_says_where_it_belongs(sample_site):
    doc = page(sample_site, "tinh/quang-binh/")
    text = doc.select_one("main").get_text(" ", strip=True)
    assert "1/7/2025" in text and "Quảng Trị" in text
    assert doc.select_one('main a[href="/tinh/quang-tri/"]') is not None
    # a unit that simply continued claims no merger
    assert "1/7/2025" not in page(sample_site, "tinh/cao-bang/").select_one("main").get_text()


def test_province_index(sample_site, articles):
    doc = page(sample_site, "tinh/")
    places = gazetteer.load()
    text = doc.select_one("main").get_text(" ", strip=True)
    for unit in places.current:
        assert doc.select_one(f'main a[href="/tinh/{unit.slug}/"]') is not None, unit.name
    assert doc.select_one('main a[href="/tinh/quang-binh/"]') is not None
    assert doc.select_one('main a[href="/tinh/toan-quoc/"]') is not None
    assert "34" in text
    # Quảng Bình is listed under Quảng Trị with its count
    unit = doc.select_one('main a[href="/tinh/quang-tri/"]').find_parent("li")
    assert unit.select_one('a[href="/tinh/quang-binh/"]') is not None
    assert "1" in unit.get_text()


def test_year_pages(sample_site, articles):
    by_year = defaultdict(set)
    for url, article in articles.items():
        by_year[article.date.year].add(url)
    index = page(sample_site, "nam/")
    for year, urls in by_year.items():
        assert index.select_one(f'main a[href="/nam/{year}/"]') is not None
        doc = page(sample_site, f"nam/{year}/")
        assert listed_urls(doc) == urls, year


def test_province_by_year_pages_linked_from_both_sides(sample_site, articles):
    expected = _expected_by_page(articles)
    for slug, urls in expected.items():
        years = {articles[u].date.year for u in urls}
        province_page = page(sample_site, f"tinh/{slug}/")
        for year in years:
            link = f"/tinh/{slug}/{year}/"
            assert province_page.select_one(f'main a[href="{link}"]') is not None, link
            doc = page(sample_site, link)
            assert listed_urls(doc) == {u for u in urls if articles[u].date.year == year}, link
    year_page = page(sample_site, "nam/2012/")
    assert year_page.select_one('main a[href="/tinh/quang-binh/2012/"]') is not None


def test_feeds(sample_site, articles):
    tree = ET.parse(sample_site / "feeds" / "all.atom.xml")
    entries = tree.getroot().findall(f"{ATOM}entry")
    assert len(entries) == len(articles)
    province = ET.parse(sample_site / "feeds" / "tinh" / "quang-tri.atom.xml").getroot()
    assert [e.find(f"{ATOM}title").text for e in province.findall(f"{ATOM}entry")] == [
        "Công an tỉnh: Đẩy mạnh phong trào toàn dân bảo vệ ANTQ năm 2012"
    ]
    head = page(sample_site, "tinh/quang-tri/").head
    feeds = {link["href"] for link in head.find_all("link", rel="alternate")}
    assert any(h.endswith("/feeds/tinh/quang-tri.atom.xml") for h in feeds)
    assert any(h.endswith("/feeds/all.atom.xml") for h in feeds)


def test_sitemap_robots_404(sample_site, articles):
    sitemap = (sample_site / "sitemap.xml").read_text(encoding="utf-8")
    for url in articles:
        assert f"/{url}</loc>" in sitemap
    assert "/tinh/quang-tri/</loc>" in sitemap
    assert "search-index" not in sitemap
    robots = (sample_site / "robots.txt").read_text(encoding="utf-8")
    assert "Disallow: /search-index/" in robots
    assert "Sitemap:" not in robots  # needs an absolute address: only in published builds
    assert "Không tìm thấy" in soup(sample_site / "404.html").get_text()


def test_urls_are_ascii_directories(sample_site):
    for html in sample_site.rglob("*.html"):
        relative = html.relative_to(sample_site).as_posix()
        assert relative.isascii(), relative
        assert relative == "404.html" or relative.endswith("/index.html") or relative == "index.html"


def test_publish_uses_absolute_urls(tmp_path):
    import os

    env = dict(os.environ, PORTAL_SITEURL="https://antq.example.gov.vn")
    result = build(ROOT / "content", tmp_path / "out", tmp_path / "cache", settings="publishconf.py", env=env)
    assert result.returncode == 0, result.stderr
    feed = (tmp_path / "out" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert 'href="https://antq.example.gov.vn/2012/' in feed
    assert "https://antq.example.gov.vn/tinh/" in (tmp_path / "out" / "sitemap.xml").read_text(encoding="utf-8")
    robots = (tmp_path / "out" / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://antq.example.gov.vn/sitemap.xml" in robots


def test_pagination_and_clashing_titles(tmp_path):
    """25 articles in one province: two pages; yearly identical titles live side by side."""
    content = tmp_path / "content"
    for number in range(25):
        write_article(content, f"a{number:02d}.md", f"Tin số {number} về Cần Thơ", f"2024-03-{number + 1:02d}",
                      "Cần Thơ", body=f"Nội dung thứ {number}.")
    for year in (2019, 2020):
        write_article(content, f"tk{year}.md", "Hội nghị tổng kết phong trào", f"{year}-12-01", "Toàn quốc",
                      body=f"Tổng kết năm {year}.")
    result = build(content, tmp_path / "out", tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "out"
    first, second = page(site, "tinh/can-tho-cu/"), page(site, "tinh/can-tho-cu/trang/2/")
    assert len(listed_urls(first)) == 20 and len(listed_urls(second)) == 5
    assert first.select_one('a[href="/tinh/can-tho-cu/trang/2/"]') is not None
    assert page(site, "trang/2/").select_one("main .teaser") is not None
    assert (site / "2019" / "hoi-nghi-tong-ket-phong-trao" / "index.html").is_file()
    assert (site / "2020" / "hoi-nghi-tong-ket-phong-trao" / "index.html").is_file()
