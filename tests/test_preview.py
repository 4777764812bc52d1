"""The live preview over real HTTP: edits, new, deleted, broken and fixed articles, drafts."""

from __future__ import annotations

import os
import sys
import time

import pytest
import requests
from bs4 import BeautifulSoup

from portal.service_process import ServiceProcess
from tests.conftest import write_article
from tests.helpers_server import copy_content


def save(path, text: str) -> None:
    """Save as an editor does, the whole file at once (a half-written file is built too, later)."""
    scratch = path.parents[2] / (path.name + ".saving")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)


class Preview(ServiceProcess):
    """``python -m portal preview`` on a copy of the sample content."""

    def __init__(self, content, output, log):
        super().__init__(content, log, timeout=120, command=lambda port: [
            sys.executable, "-m", "portal", "preview", "--content",
            str(content), "--output", str(output), "--port", str(port)])

    def state(self) -> dict:
        return requests.get(self.url + "/__preview/state", timeout=10).json()

    def next_build(self, since: str, timeout: float = 90) -> dict:
        """Wait for the build after ``since`` (a generation) and return its state."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = requests.get(self.url + "/__preview/wait", params={"since": since}, timeout=60).json()
            if state["generation"] != since:
                return state
        raise AssertionError(f"no build after {since}: {self.log()}")

    def change(self, action) -> dict:
        """Do ``action`` (a change on disk) and return the state of the build it caused."""
        since = self.state()["generation"]
        action()
        return self.next_build(since)

    def settled(self, timeout: float = 90) -> dict:
        """The state once the index and feeds have caught up with a quick rebuild."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state()
            if not state["behind"] and not state["building"]:
                return state
            time.sleep(0.1)
        raise AssertionError(f"the preview did not settle: {self.log()}")

    def get(self, path: str) -> requests.Response:
        return requests.get(self.url + path, timeout=30)

    def soup(self, path: str) -> BeautifulSoup:
        reply = self.get(path)
        assert reply.status_code == 200, (path, reply.status_code)
        return BeautifulSoup(reply.text, "html.parser")

    def found(self, words: str) -> int:
        return self.get("/api/search?q=" + words).json()["total"]


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    work = tmp_path_factory.mktemp("preview")
    content = copy_content(work / "content")
    service = Preview(content, work / "out", work / "preview.log")
    state = service.state()
    if state["ok"] is None:  # the first build is under way
        state = service.next_build(state["generation"])
    assert state["ok"] is True, service.log()
    service.content = content
    yield service
    service.stop()


def test_first_build_serves_the_site_and_search_with_the_reload_script(preview):
    home = preview.soup("/")
    script = home.select_one('script[src="/__preview/reload.js"]')
    assert script is not None and script["data-generation"] == preview.state()["generation"]
    assert preview.get("/__preview/reload.js").status_code == 200
    assert preview.found("an+ninh+to+quoc") == 5
    assert preview.get("/").headers["Cache-Control"] == "no-store"


def test_an_edit_a_new_a_renamed_and_a_deleted_article(preview):
    article = next(preview.content.glob("2019/*.md"))
    text = article.read_text(encoding="utf-8")
    url = "/2019/hoi-nghi-tong-ket-phong-trao-toan-dan-bao-ve-an-ninh-to-quoc/"
    state = preview.change(lambda: save(article, text + "\nCâu mới quxsửa trong bài.\n"))
    assert state["ok"] and state["quick"], state  # only the page: the index follows
    assert "quxsửa" in preview.soup(url).get_text()
    assert preview.settled()["generation"] == state["generation"]  # no second reload
    assert preview.found("quxsua") == 1
    assert "quxsửa" in preview.get("/feeds/all.atom.xml").text

    new = preview.content / "2024" / "bai-moi.md"
    state = preview.change(lambda: write_article(preview.content, "2024/bai-moi.md", "Bài mới toanh zorkmoi",
                                                 "2024-06-01 08:00", "Cao Bằng", "Nội dung zorkmoi."))
    assert state["ok"], state
    assert preview.soup("/2024/bai-moi-toanh-zorkmoi/").h1.get_text(strip=True) == "Bài mới toanh zorkmoi"
    assert "zorkmoi" in preview.soup("/").get_text()
    assert "zorkmoi" in preview.soup("/tinh/cao-bang/").get_text()
    assert preview.found("zorkmoi") == 1

    renamed = new.with_name("bai-moi-doi-ten.md")
    state = preview.change(lambda: new.rename(renamed))
    assert state["ok"] and not state["quick"], state
    assert preview.get("/2024/bai-moi-toanh-zorkmoi/").status_code == 200
    assert preview.soup("/").get_text().count("Bài mới toanh zorkmoi") == 1

    state = preview.change(renamed.unlink)
    assert state["ok"], state
    assert preview.get("/2024/bai-moi-toanh-zorkmoi/").status_code == 404
    assert "zorkmoi" not in preview.soup("/").get_text()
    assert preview.found("zorkmoi") == 0


def test_a_save_during_the_full_rebuild_after_a_quick_one_comes_first(preview):
    article = next(preview.content.glob("2019/*.md"))
    text = article.read_text(encoding="utf-8")
    url = "/2019/hoi-nghi-tong-ket-phong-trao-toan-dan-bao-ve-an-ninh-to-quoc/"
    assert preview.change(lambda: save(article, text + "\nCâu thứ nhất quxmot.\n"))["quick"]
    deadline = time.monotonic() + 30
    while not preview.state()["building"]:  # the editor paused: the index and feeds catch up
        assert time.monotonic() < deadline, preview.log()
        time.sleep(0.01)
    state = preview.change(lambda: save(article, text + "\nCâu thứ hai quxhai.\n"))
    assert state["ok"] and state["quick"], state  # the full build was stopped: this page first
    assert "quxhai" in preview.soup(url).get_text() and preview.soup(url).select_one("#preview-error") is None
    settled = preview.settled()
    assert settled["ok"] and settled["generation"] == state["generation"], settled
    assert preview.found("quxhai") == 1 and preview.found("quxmot") == 0
    assert "Traceback" not in preview.log() and "SIGINT" not in preview.log()
    preview.change(lambda: save(article, text))
    preview.settled()


def test_an_edit_of_an_article_with_a_photo_is_quick_and_keeps_the_photo(preview):
    from tests.test_photos import sideways_jpeg

    def add():
        sideways_jpeg(preview.content / "images" / "2024" / "anh-xem-truoc.jpg", size=(800, 600))
        write_article(preview.content, "2024/co-anh.md", "Bài có ảnh xem trước", "2024-06-04 08:00", "Cao Bằng",
                      "Đoạn đầu.\n\n![Đại biểu dự hội nghị.]({static}/images/2024/anh-xem-truoc.jpg)\n",
                      summary="Tóm tắt không đổi khi sửa thân bài.")
    assert preview.change(add)["ok"]
    preview.settled()
    article = preview.content / "2024" / "co-anh.md"
    text = article.read_text(encoding="utf-8")
    state = preview.change(lambda: save(article, text + "\nCâu mới ảnhsửa.\n"))
    assert state["ok"] and state["quick"], state  # the photos plugin rewrote the photo on the quick path
    page = preview.soup("/2024/bai-co-anh-xem-truoc/")
    assert "ảnhsửa" in page.get_text()
    assert page.select_one("figure picture source[srcset]") is not None
    preview.settled()


def test_a_broken_article_shows_its_error_and_keeps_the_last_good_site(preview):
    bad = preview.content / "2024" / "bai-loi.md"
    state = preview.change(lambda: write_article(preview.content, "2024/bai-loi.md", "Bài lỗi", "2024-06-02",
                                                 "An Gian"))
    assert state["ok"] is False
    assert "bai-loi.md:3:" in state["messages"] and 'không biết tỉnh "An Gian"' in state["messages"]
    home = preview.soup("/")
    banner = home.select_one("#preview-error")
    assert banner is not None and "bai-loi.md:3:" in banner.get_text() and "Có phải: An Giang" in banner.get_text()
    assert "Traceback" not in banner.get_text()
    assert home.select("article, .teaser")  # the last good site is still there
    assert preview.found("an+ninh+to+quoc") == 5

    state = preview.change(lambda: bad.write_text(bad.read_text(encoding="utf-8").replace("An Gian\n", "An Giang\n"),
                                                  encoding="utf-8"))
    assert state["ok"] is True, state
    assert preview.soup("/").select_one("#preview-error") is None
    assert preview.soup("/2024/bai-loi/").h1.get_text(strip=True) == "Bài lỗi"
    bad.unlink()


def test_drafts_and_scheduled_articles_appear_in_the_preview(preview):
    state = preview.change(lambda: (
        write_article(preview.content, "2024/nhap.md", "Bài nháp xem trước", "2024-06-03", "An Giang",
                      "Nội dung nháp.", **{"trạng thái": "nháp"}),
        write_article(preview.content, "2099/hen.md", "Bài hẹn giờ xem trước", "2099-01-05 08:00", "An Giang"),
    ))
    assert state["ok"], state
    urls = {draft["url"]: draft["scheduled"] for draft in state["drafts"]}
    assert urls == {"/ban-nhap/bai-nhap-xem-truoc/": False, "/ban-nhap/bai-hen-gio-xem-truoc/": True}
    assert "Bản nháp" in preview.soup("/ban-nhap/bai-nhap-xem-truoc/").select_one(".notice-draft").get_text()
    assert "Hẹn giờ đăng" in preview.soup("/ban-nhap/bai-hen-gio-xem-truoc/").select_one(".notice-draft").get_text()
    assert "Bài nháp xem trước" in preview.soup("/__preview/").get_text()
    assert "Bài nháp xem trước" not in preview.soup("/").get_text()


def test_a_built_site_has_no_preview_script(sample_site):
    for path in sample_site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        # JSON-LD (structured data for search engines) is data, not JavaScript
        scripts = text.count("<script") - text.count('<script type="application/ld+json">')
        assert "__preview" not in text and scripts == 0, path


def test_the_bench_measures_saves_during_the_full_rebuild_too(tmp_path):
    from portal.preview import bench

    content = copy_content(tmp_path / "content")
    article = next(content.glob("2019/*.md"))
    figures = bench.measure(content, tmp_path / "out", [article], 1,
                            ["/2019/hoi-nghi-tong-ket-phong-trao-toan-dan-bao-ve-an-ninh-to-quoc/"])
    assert set(figures) == {"preview_first_build", "preview_edit", "preview_edit_during_rebuild",
                            "preview_full_rebuild", "preview_peak_mb"}
    assert all(value > 0 for value in figures.values()), figures
    assert figures["preview_peak_mb"] > 50  # MB: Pelican, the articles, the index writer
