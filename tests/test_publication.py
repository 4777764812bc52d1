"""Drafts and scheduled articles: never published by a build, shown only in the preview."""

from __future__ import annotations

import datetime as dt
import time

from portal.dates import VIETNAM
from portal.search.request import SearchRequest
from portal.search.searcher import searcher_for
from tests.conftest import ROOT, build, page, write_article


def _content(tmp_path, scheduled_at: str):
    content = tmp_path / "content"
    write_article(content, "2024/da-dang.md", "Bài đã đăng", "2024-03-01", "An Giang",
                  "Bài đã đăng về phong trào.")
    write_article(content, "2024/nhap.md", "Bài nháp chưa duyệt", "2024-03-02", "An Giang",
                  "Từ khoá riêng xyzzynhap trong bài nháp.", **{"trạng thái": "nháp"})
    write_article(content, "2024/hen-gio.md", "Bài hẹn giờ đăng", scheduled_at, "Cao Bằng",
                  "Từ khoá riêng plughhen trong bài hẹn giờ.")
    return content


def _everything(site) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in site.rglob("*") if p.is_file() and "search-index" not in p.parts)


def _found(site, words: str) -> int:
    return searcher_for(site).search(SearchRequest.from_params({"q": words})).total


def test_drafts_and_scheduled_articles_are_not_published(tmp_path):
    content = _content(tmp_path, "2099-01-05 08:00")
    result = build(content, tmp_path / "out", tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "out"
    text = _everything(site)
    for secret in ("xyzzynhap", "plughhen", "Bài nháp chưa duyệt", "Bài hẹn giờ đăng", "ban-nhap/bai"):
        assert secret not in text  # pages, lists, feeds, sitemap
    assert "Bài đã đăng" in (site / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert _found(site, "xyzzynhap") == 0 and _found(site, "plughhen") == 0
    assert _found(site, "bai da dang") == 1


def test_a_scheduled_article_is_published_by_the_first_build_after_its_time(tmp_path):
    for margin in (4, 20, 60):  # a busy machine may take longer than a few seconds to build
        soon = dt.datetime.now(VIETNAM).replace(microsecond=0) + dt.timedelta(seconds=margin)
        work = tmp_path / str(margin)
        content = _content(work, f"{soon:%Y-%m-%d %H:%M:%S}")
        result = build(content, tmp_path / "out", work / "cache")
        assert result.returncode == 0, result.stderr
        if dt.datetime.now(VIETNAM) < soon:  # the build ended before the time: it had to leave it out
            break
    assert "plughhen" not in _everything(tmp_path / "out")
    while dt.datetime.now(VIETNAM) <= soon:
        time.sleep(0.2)
    # nothing changed on disk: the article comes from Pelican's cache, still published now
    result = build(content, tmp_path / "out", work / "cache")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "out"
    assert page(site, f"{soon.year}/bai-hen-gio-dang/").h1.get_text(strip=True) == "Bài hẹn giờ đăng"
    assert not page(site, f"{soon.year}/bai-hen-gio-dang/").select(".notice-draft")
    assert "plughhen" in (site / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert f"{soon.year}/bai-hen-gio-dang/" in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert _found(site, "plughhen") == 1


def test_the_preview_shows_drafts_and_scheduled_articles_with_a_banner(tmp_path):
    content = _content(tmp_path, "2099-01-05 08:00")
    result = build(content, tmp_path / "out", tmp_path / "cache", settings="previewconf.py")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "out"
    draft = page(site, "ban-nhap/bai-nhap-chua-duyet/")
    assert "Bản nháp" in draft.select_one(".notice-draft").get_text()
    scheduled = page(site, "ban-nhap/bai-hen-gio-dang/")
    assert "Hẹn giờ đăng: Thứ Hai, 05/01/2099, 08:00" in scheduled.select_one(".notice-draft").get_text()
    # still out of every list, feed, sitemap and the index
    assert "plughhen" not in (site / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "ban-nhap" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "Bài nháp" not in page(site, "").get_text()
    assert _found(site, "xyzzynhap") == 0


def test_check_lists_drafts_and_scheduled_articles_without_failing(tmp_path):
    import subprocess
    import sys

    content = _content(tmp_path, "2099-01-05 08:00")
    result = subprocess.run([sys.executable, "-m", "portal", "check", str(content)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert "nhap.md: bản nháp" in result.stdout
    assert "hen-gio.md: hẹn giờ đăng Thứ Hai, 05/01/2099, 08:00" in result.stdout
    assert "2 bài chưa xuất bản" in result.stdout.splitlines()[-1]


def test_an_unknown_status_is_an_error_naming_the_vietnamese_values(tmp_path):
    from portal import validation

    article = validation.parse("Title: A\nDate: 2024-01-01\nProvince: An Giang\nTrạng thái: sắp đăng\n\nx\n", "a.md")
    assert [str(p) for p in article.problems] == [
        'a.md:4: trạng thái "sắp đăng" không hợp lệ; dùng "nháp" (draft), "ẩn" (hidden) hoặc bỏ dòng này để đăng bài'
    ]
    assert validation.parse("Title: A\nDate: 2024-01-01\nProvince: An Giang\nStatus: Bản Nháp\n\nx\n",
                            "a.md").status == "draft"
