"""Sharing and search engines: Open Graph, canonical links, JSON-LD, robots.txt and the image sitemap,
on a site built with publishconf.py (absolute addresses)."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from portal import sharing
from tests.conftest import build, page, write_article
from tests.test_photos import sideways_jpeg

SITEURL = "https://antq.example.gov.vn"
IMAGE_NS = "{http://www.google.com/schemas/sitemap-image/1.1}"


@pytest.fixture(scope="module")
def public_site(tmp_path_factory):
    work = tmp_path_factory.mktemp("share")
    content = work / "content"
    sideways_jpeg(content / "images" / "2024" / "hoi-nghi.jpg", size=(2400, 1600))
    write_article(content / "2024", "anh.md", "Hội nghị có ảnh", "2024-03-01 08:30", "An Giang",
                  "Đoạn đầu.\n\n![Các đại biểu dự Hội nghị.]({static}/images/2024/hoi-nghi.jpg)\n",
                  summary="Tóm tắt để chia sẻ.", author="Tiến Tầm", tags="Hội nghị", modified="2024-03-02 09:00")
    write_article(content / "2023", "khong-anh.md", "Bài không ảnh", "2023-03-01", "Hà Nội")
    env = {**os.environ, "PORTAL_SITEURL": SITEURL}
    result = build(content, work / "out", work / "cache", settings="publishconf.py", env=env)
    assert result.returncode == 0, result.stderr
    return work / "out"


def meta(doc, prop):
    tag = doc.find("meta", attrs={"property": prop}) or doc.find("meta", attrs={"name": prop})
    return tag["content"] if tag else None


def test_article_open_graph_and_canonical(public_site):
    doc = page(public_site, "2024/hoi-nghi-co-anh/")
    url = f"{SITEURL}/2024/hoi-nghi-co-anh/"
    assert doc.find("link", rel="canonical")["href"] == url
    assert meta(doc, "og:type") == "article" and meta(doc, "og:url") == url
    assert meta(doc, "og:title") == "Hội nghị có ảnh"
    assert meta(doc, "og:description") == "Tóm tắt để chia sẻ."
    assert meta(doc, "article:published_time").startswith("2024-03-01T08:30")
    assert meta(doc, "twitter:card") == "summary_large_image"
    image = meta(doc, "og:image")
    assert image.startswith(SITEURL + "/anh/") and image.endswith(".jpg")
    with Image.open(public_site / image[len(SITEURL) + 1:]) as shared:
        assert shared.format == "JPEG" and shared.width == 1200
        assert (str(shared.width), str(shared.height)) == (meta(doc, "og:image:width"), meta(doc, "og:image:height"))


def test_article_json_ld(public_site):
    doc = page(public_site, "2024/hoi-nghi-co-anh/")
    data = json.loads(doc.find("script", type="application/ld+json").string)
    assert data["@type"] == "NewsArticle" and data["headline"] == "Hội nghị có ảnh"
    assert data["datePublished"].startswith("2024-03-01T08:30")
    assert data["dateModified"].startswith("2024-03-02T09:00")
    assert data["author"] == [{"@type": "Person", "name": "Tiến Tầm"}]
    assert data["image"] == [meta(doc, "og:image")]
    assert data["publisher"]["name"] == "An ninh Tổ quốc"
    logo = data["publisher"]["logo"]["url"]
    assert logo.startswith(SITEURL) and (public_site / logo[len(SITEURL) + 1:]).is_file()
    assert data["mainEntityOfPage"] == f"{SITEURL}/2024/hoi-nghi-co-anh/"


def test_article_without_photo_shares_the_emblem(public_site):
    doc = page(public_site, "2023/bai-khong-anh/")
    image = meta(doc, "og:image")
    assert image == f"{SITEURL}/theme/images/share.png"
    with Image.open(public_site / "theme" / "images" / "share.png") as emblem:
        assert emblem.size == (1200, 630)
    data = json.loads(doc.find("script", type="application/ld+json").string)
    assert data["image"] == [image] and data["dateModified"] == data["datePublished"]


def test_listing_pages_are_pages_of_the_site(public_site):
    for url in ("", "tinh/ha-noi/", "nam/2024/", "chu-de/"):
        doc = page(public_site, url)
        assert doc.find("link", rel="canonical")["href"] == f"{SITEURL}/{url}", url
        assert meta(doc, "og:type") == "website" and meta(doc, "og:site_name") == "An ninh Tổ quốc"
        assert meta(doc, "og:image") == f"{SITEURL}/theme/images/share.png"
        assert not doc.find("script", type="application/ld+json")


def test_robots_and_image_sitemap(public_site):
    robots = (public_site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {SITEURL}/sitemap.xml" in robots and f"Sitemap: {SITEURL}/sitemap-anh.xml" in robots
    tree = ET.parse(public_site / "sitemap-anh.xml")
    urls = tree.getroot().findall("{http://www.sitemaps.org/schemas/sitemap/0.9}url")
    assert len(urls) == 1
    assert urls[0][0].text == f"{SITEURL}/2024/hoi-nghi-co-anh/"
    loc = urls[0].find(f"{IMAGE_NS}image/{IMAGE_NS}loc").text
    assert loc.startswith(SITEURL + "/anh/") and (public_site / loc[len(SITEURL) + 1:]).is_file()


def test_json_ld_cannot_close_its_script():
    text = str(sharing.json_ld({"headline": "</script><script>alert(1)</script><!-- & x"}))
    assert "</" not in text and "<!--" not in text and "<" not in text
    assert json.loads(text)["headline"] == "</script><script>alert(1)</script><!-- & x"
