"""The front page and listings: lead story, latest news with thumbnails, sections, the sapo."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, build, page, write_article
from tests.test_photos import alpha_png, sideways_jpeg


@pytest.fixture(scope="module")
def news_site(tmp_path_factory):
    work = tmp_path_factory.mktemp("front")
    content = work / "content"
    sideways_jpeg(content / "images" / "2024" / "ha-noi.jpg", size=(1200, 900))
    alpha_png(content / "images" / "2024" / "lang-son.png")
    write_article(content / "2024", "moi-nhat.md", "Bài mới nhất không ảnh", "2024-05-01", "Cần Thơ",
                  summary="Bài mới nhất của miền Nam.", tags="Tuần tra")
    write_article(content / "2024", "ha-noi.md", "Hà Nội ra quân tuần tra", "2024-04-01", "Hà Nội",
                  "Sáng 1/4, Công an Hà Nội ra quân.\n\n![Lực lượng ra quân.]({static}/images/2024/ha-noi.jpg)\n",
                  summary="Sáng 1/4, Công an Hà Nội ra quân.", author="Minh Trung", tags="Tuần tra")
    write_article(content / "2024", "lang-son.md", "Lạng Sơn tổng kết phong trào", "2024-03-01", "Lạng Sơn",
                  "Đoạn đầu của bài Lạng Sơn.\n\n![Biểu trưng.](../images/2024/lang-son.png)\n",
                  summary="Một bản tóm tắt khác hẳn đoạn đầu.")
    write_article(content / "2012", "quang-binh.md", "Quảng Bình đẩy mạnh phong trào", "2012-02-10",
                  "Quảng Bình", summary="Quảng Bình đẩy mạnh phong trào")
    result = build(content, work / "out", work / "cache")
    assert result.returncode == 0, result.stderr
    return work


def test_lead_story_is_the_newest_with_a_photo(news_site):
    home = page(news_site / "out", "")
    assert len(home.find_all("h1")) == 1
    lead = home.select_one("main .lead-story")
    assert lead.select_one(".lead-title a")["href"] == "/2024/ha-noi-ra-quan-tuan-tra/"
    img = lead.select_one(".lead-photo picture img")
    assert "loading" not in img.attrs and img["fetchpriority"] == "high"
    assert img["width"] and img["height"] and img["alt"] == ""
    assert lead.select_one(".lead-photo")["aria-hidden"] == "true"
    assert lead.select_one(".lead-sapo").get_text(strip=True) == "Sáng 1/4, Công an Hà Nội ra quân."


def test_featured_article_leads(tmp_path):
    content = tmp_path / "content"
    alpha_png(content / "images" / "a.png")
    write_article(content / "2024", "a.md", "Bài có ảnh", "2024-05-01", "Hà Nội", "![Ảnh.](../images/a.png)")
    write_article(content / "2023", "b.md", "Bài nổi bật", "2023-01-01", "Hà Nội", **{"nổi bật": "có"})
    assert build(content, tmp_path / "out", tmp_path / "cache").returncode == 0
    home = page(tmp_path / "out", "")
    assert home.select_one(".lead-story .lead-title").get_text(strip=True) == "Bài nổi bật"
    assert not home.select(".lead-story .lead-photo")  # no photo: a text lead, no empty frame


def test_latest_news_with_thumbnails_and_sections(news_site):
    home = page(news_site / "out", "")
    latest = home.select_one(".home-latest")
    titles = [a.get_text(strip=True) for a in latest.select(".teaser-title a")]
    assert titles[0] == "Bài mới nhất không ảnh" and "Hà Nội ra quân tuần tra" not in titles  # the lead is above
    with_thumb = latest.select(".teaser.has-thumb")
    thumbed = [t.select_one(".teaser-title a").get_text(strip=True) for t in with_thumb]
    assert thumbed == ["Lạng Sơn tổng kết phong trào"]
    thumb = with_thumb[0].select_one(".teaser-thumb img")
    assert thumb["loading"] == "lazy" and thumb["alt"] == "" and thumb["width"] and thumb["height"]
    assert with_thumb[0].select_one("source")["type"] == "image/webp"
    assert not latest.select(".teaser:not(.has-thumb) img")
    sections = {s.h2.get_text(strip=True): [a.get_text(strip=True) for a in s.select(".teaser-title a")]
                for s in home.select(".home-section")}
    assert sections["Miền Bắc"] == ["Lạng Sơn tổng kết phong trào"]  # the lead is not repeated
    assert sections["Miền Trung, Tây Nguyên"] == ["Quảng Bình đẩy mạnh phong trào"]  # Quảng Bình → Quảng Trị
    assert sections["Miền Nam"] == ["Bài mới nhất không ảnh"]
    assert "Tin toàn quốc" not in sections  # an empty section is not shown


def test_listing_pages_show_thumbnails_only_with_a_photo(news_site):
    out = news_site / "out"
    for url in ("tinh/ha-noi/", "nam/2024/", "chu-de/tuan-tra/", "tac-gia/minh-trung/"):
        doc = page(out, url)
        teasers = doc.select("main .teaser")
        assert teasers, url
        for teaser in teasers:
            title = teaser.select_one(".teaser-title a").get_text(strip=True)
            has_photo = title in ("Hà Nội ra quân tuần tra", "Lạng Sơn tổng kết phong trào")
            assert bool(teaser.select(".teaser-thumb img[loading=lazy]")) == has_photo, (url, title)
    # compact lists (related, latest in the sidebar) stay text
    assert not page(out, "2024/bai-moi-nhat-khong-anh/").select("aside .teaser img")


def test_sapo_shown_once(news_site):
    out = news_site / "out"
    distinct = page(out, "2024/lang-son-tong-ket-phong-trao/")
    assert distinct.select_one(".article .sapo").get_text() == "Một bản tóm tắt khác hẳn đoạn đầu."
    assert "lead-first" not in distinct.select_one(".article-body")["class"]
    repeated = page(out, "2024/ha-noi-ra-quan-tuan-tra/")  # the summary is the first paragraph
    assert repeated.select_one(".article .sapo") is None
    assert "lead-first" in repeated.select_one(".article-body")["class"]
    assert repeated.get_text().count("Sáng 1/4, Công an Hà Nội ra quân.") == 1
    title_only = page(out, "2012/quang-binh-day-manh-phong-trao/")  # the summary is the title
    assert title_only.select_one(".article .sapo") is None


def test_unknown_province_in_home_sections_is_a_message(tmp_path):
    settings = tmp_path / "conf.py"
    settings.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
                        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\nTHEME = {str(ROOT / 'theme')!r}\n"
                        "HOME_SECTIONS = [{'title': 'Miền Tây', 'provinces': ['Cần Thơ', 'Hậu Gian']}]\n",
                        encoding="utf-8")
    content = tmp_path / "content"
    write_article(content / "2024", "a.md", "Bài", "2024-05-01", "Hà Nội")
    result = build(content, tmp_path / "out", tmp_path / "cache", settings=str(settings))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "HOME_SECTIONS" in result.stderr and "Hậu Gian" in result.stderr and "Hậu Giang" in result.stderr
