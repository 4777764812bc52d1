"""Rebuilds: the index is updated, not rewritten; unchanged pages are reused; results stay right."""

from __future__ import annotations

import json
import os

from portal.search.request import SearchRequest
from portal.search.searcher import Searcher
from tests.conftest import build, page, write_article


def _manifest(site):
    return json.loads((site / "search-index" / "manifest.json").read_text(encoding="utf-8"))["documents"]


def _search(site, q):
    return [hit.url for hit in Searcher(site).search(SearchRequest(q=q, limit=50)).results]


def test_rebuild_updates_index_and_pages(tmp_path):
    content, out, cache = tmp_path / "content", tmp_path / "out", tmp_path / "cache"
    first = write_article(content, "a.md", "Hội nghị về giao thông", "2024-01-05", "Hà Nội",
                          body="Bàn về an toàn giao thông.")
    write_article(content, "b.md", "Diễn tập phòng cháy", "2024-02-05", "Hà Nội", body="Diễn tập phòng cháy chữa cháy.")
    gone = write_article(content, "c.md", "Tuần tra biên giới", "2024-03-05", "Lạng Sơn", body="Tuần tra đường biên.")
    assert build(content, out, cache).returncode == 0
    before = _manifest(out)
    article_b = out / "2024" / "dien-tap-phong-chay" / "index.html"
    b_inode, b_mtime = article_b.stat().st_ino, article_b.stat().st_mtime_ns
    site_inode = out.stat().st_ino
    a_mtime = (out / "2024" / "hoi-nghi-ve-giao-thong" / "index.html").stat().st_mtime_ns
    assert _search(out, "tuan tra") == ["2024/tuan-tra-bien-gioi/"]

    # edit one body: only its page is rendered again, only it is re-indexed
    write_article(content, "a.md", "Hội nghị về giao thông", "2024-01-05", "Hà Nội", body="Bàn về xe máy điện.")
    os.utime(first, ns=(first.stat().st_atime_ns, first.stat().st_mtime_ns + 10**9))
    result = build(content, out, cache)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_ino != site_inode  # a new output was swapped in…
    assert article_b.stat().st_ino == b_inode  # …with the unchanged page linked, not rendered
    assert article_b.stat().st_mtime_ns == b_mtime
    assert (out / "2024" / "hoi-nghi-ve-giao-thong" / "index.html").stat().st_mtime_ns != a_mtime
    edited = _manifest(out)
    assert {url for url in edited if edited[url] != before[url]} == {"2024/hoi-nghi-ve-giao-thong/"}

    # remove one article: it leaves the index
    gone.unlink()
    result = build(content, out, cache)
    assert result.returncode == 0, result.stderr
    after = _manifest(out)
    assert set(after) == set(before) - {"2024/tuan-tra-bien-gioi/"}
    assert after["2024/dien-tap-phong-chay/"] == before["2024/dien-tap-phong-chay/"]
    assert after["2024/hoi-nghi-ve-giao-thong/"] != before["2024/hoi-nghi-ve-giao-thong/"]
    assert _search(out, "xe may dien") == ["2024/hoi-nghi-ve-giao-thong/"]
    assert _search(out, "tuan tra") == []
    assert not (out / "2024" / "tuan-tra-bien-gioi").exists()  # no empty folder left behind
    assert "xe máy điện" in page(out, "2024/hoi-nghi-ve-giao-thong/").get_text()
    assert "Diễn tập phòng cháy chữa cháy." in article_b.read_text(encoding="utf-8")


def test_retitled_neighbour_rerenders_pages_that_show_it(tmp_path):
    content, out, cache = tmp_path / "content", tmp_path / "out", tmp_path / "cache"
    write_article(content, "a.md", "Bài thứ nhất", "2024-01-05", "Hà Nội")
    write_article(content, "b.md", "Bài thứ hai", "2024-02-05", "Hà Nội")
    assert build(content, out, cache).returncode == 0
    assert "Bài thứ hai" in page(out, "2024/bai-thu-nhat/").get_text()
    write_article(content, "b.md", "Bài thứ hai", "2024-02-05", "Hà Nội", slug="bai-thu-hai")
    path = content / "b.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Title: Bài thứ hai", "Title: Bài số hai"),
                    encoding="utf-8")
    assert build(content, out, cache).returncode == 0
    text = page(out, "2024/bai-thu-nhat/").get_text()
    assert "Bài số hai" in text and "Bài thứ hai" not in text


def test_damaged_index_is_rebuilt_in_full(tmp_path):
    content, out, cache = tmp_path / "content", tmp_path / "out", tmp_path / "cache"
    write_article(content, "a.md", "Bài về cảnh sát giao thông", "2024-01-05", "Hà Nội")
    assert build(content, out, cache).returncode == 0
    (out / "search-index" / "manifest.json").write_text("{broken", encoding="utf-8")
    assert build(content, out, cache).returncode == 0
    assert _search(out, "CSGT") == ["2024/bai-ve-canh-sat-giao-thong/"]


def test_edit_renders_again_only_the_listings_that_show_the_article(tmp_path):
    content, out, cache = tmp_path / "content", tmp_path / "out", tmp_path / "cache"
    edited = write_article(content, "a.md", "Hội nghị về giao thông", "2024-01-05", "Hà Nội",
                           body="Bàn về an toàn giao thông.")
    write_article(content, "b.md", "Tuần tra biên giới", "2023-03-05", "Lạng Sơn", body="Tuần tra đường biên.")
    assert build(content, out, cache).returncode == 0
    listings = {
        "shows the edit": ["index.html", "tinh/ha-noi/index.html", "nam/2024/index.html",
                           "tinh/ha-noi/2024/index.html", "tac-gia/ban-bien-tap/index.html"],
        "does not": ["tinh/lang-son/index.html", "nam/2023/index.html", "tinh/lang-son/2023/index.html"],
    }
    for names in listings.values():  # mark the previous build's pages: a reused page keeps the mark
        for name in names:
            path = out / name
            path.write_text(path.read_text(encoding="utf-8").replace("</main>", "<!--old--></main>"),
                            encoding="utf-8")

    write_article(content, "a.md", "Hội nghị về giao thông", "2024-01-05", "Hà Nội", body="Bàn về xe máy điện.")
    os.utime(edited, ns=(edited.stat().st_atime_ns, edited.stat().st_mtime_ns + 10**9))
    result = build(content, out, cache)
    assert result.returncode == 0, result.stderr
    for name in listings["shows the edit"]:
        text = (out / name).read_text(encoding="utf-8")
        assert "<!--old-->" not in text and "xe máy điện" in text, name
    for name in listings["does not"]:
        assert "<!--old-->" in (out / name).read_text(encoding="utf-8"), name

    # a new article changes what every page shows (counts, menus): nothing is reused
    write_article(content, "c.md", "Diễn tập phòng cháy", "2023-06-05", "Cao Bằng")
    assert build(content, out, cache).returncode == 0
    for name in listings["does not"]:
        assert "<!--old-->" not in (out / name).read_text(encoding="utf-8"), name
    assert "Diễn tập phòng cháy" in (out / "nam" / "2023" / "index.html").read_text(encoding="utf-8")


def test_next_build_is_written_into_the_spare_site(tmp_path):
    content, out, cache = tmp_path / "content", tmp_path / "out", tmp_path / "cache"
    spare = tmp_path / "out.spare"
    write_article(content, "a.md", "Bài thứ nhất", "2024-01-05", "Hà Nội", body="Nội dung thứ nhất.")
    write_article(content, "b.md", "Bài thứ hai", "2024-02-05", "Hà Nội", body="Nội dung thứ hai.")
    for _ in range(2):
        assert build(content, out, cache).returncode == 0
    assert (spare / "2024" / "bai-thu-nhat" / "index.html").is_file()  # the site the swap replaced
    (spare / "stale.html").write_text("stale", encoding="utf-8")
    folder = (spare / "2024" / "bai-thu-nhat").stat().st_ino

    write_article(content, "b.md", "Bài thứ hai", "2024-02-05", "Hà Nội", body="Nội dung đã sửa.")
    assert build(content, out, cache).returncode == 0
    assert (out / "2024" / "bai-thu-nhat").stat().st_ino == folder  # its folders were reused…
    assert not (out / "stale.html").exists()  # …but none of its files
    assert "Nội dung thứ nhất." in page(out, "2024/bai-thu-nhat/").get_text()
    assert "Nội dung đã sửa." in page(out, "2024/bai-thu-hai/").get_text()
    assert _search(out, "noi dung da sua") == ["2024/bai-thu-hai/"]
    # the next build clears the spare, which shares the unchanged pages of the live site: they stay whole
    assert build(content, out, cache).returncode == 0
    assert "Nội dung thứ nhất." in page(out, "2024/bai-thu-nhat/").get_text()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out")) == ["out", "out.lock", "out.spare"]
