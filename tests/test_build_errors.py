"""A wrong article stops the build with ``file:line: message``, no traceback, old site intact."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import ROOT, build, encode_cp1258, write_article


def _failed(result, *fragments):
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    return result.stderr


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    write_article(folder, "good.md", "Bài đúng", "2024-05-02", "An Giang")
    return folder


def test_missing_title(tmp_path, content):
    (content / "bad.md").write_text("Date: 2024-05-02\nProvince: An Giang\n\nNội dung.\n", encoding="utf-8")
    _failed(build(content, tmp_path / "out"), "bad.md:1: thiếu tiêu đề")


def test_date_that_is_not_a_date(tmp_path, content):
    write_article(content, "bad.md", "Bài sai ngày", "ngày mai", "An Giang")
    _failed(build(content, tmp_path / "out"), "bad.md:2:", 'ngày "ngày mai" không đọc được', "2022-11-24")


def test_impossible_date(tmp_path, content):
    write_article(content, "bad.md", "Bài sai ngày", "30/02/2024", "An Giang")
    _failed(build(content, tmp_path / "out"), "bad.md:2:", "không có thật")


def test_unknown_province_suggests_nearest(tmp_path, content):
    write_article(content, "bad.md", "Bài sai tỉnh", "2024-05-02", "An Gian")
    stderr = _failed(build(content, tmp_path / "out"), "bad.md:3:", 'không biết tỉnh "An Gian"', "Có phải: An Giang")
    assert stderr.count("bad.md") == 1


def test_non_utf8_file(tmp_path, content):
    text = "Title: Bài cũ\nDate: 2024-05-02\nProvince: An Giang\n\nNội dung tiếng Việt.\n"
    (content / "old.md").write_bytes(encode_cp1258(text))
    _failed(build(content, tmp_path / "out"), "old.md:1: tệp không phải UTF-8", "python -m portal import")


def test_all_problems_reported_at_once(tmp_path, content):
    write_article(content, "a.md", "Bài A", "ngày mai", "An Giang")
    write_article(content, "b.md", "Bài B", "2024-05-02", "Atlantis")
    stderr = _failed(build(content, tmp_path / "out"), "a.md:2:", "b.md:3:")
    assert "2 lỗi trong 2 tệp" in stderr


def test_url_clash_names_both_files_and_slug_fixes_it(tmp_path, content):
    write_article(content, "lua.md", "Giá lúa tăng", "2024-05-02", "An Giang", body="Lúa tăng giá.")
    clash = write_article(content, "lua2.md", "Giá lừa tăng", "2024-07-09", "An Giang", body="Lừa tăng giá.")
    _failed(build(content, tmp_path / "out"), "lua2.md:1:", "/2024/gia-lua-tang/", "lua.md", "Slug:")
    write_article(content, "lua2.md", "Giá lừa tăng", "2024-07-09", "An Giang", body="Lừa tăng giá.",
                  slug="gia-lua-tang-2")
    assert clash.exists()
    result = build(content, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "2024" / "gia-lua-tang-2" / "index.html").is_file()
    assert "Lúa tăng giá." in (tmp_path / "out" / "2024" / "gia-lua-tang" / "index.html").read_text(encoding="utf-8")


def test_vietnamese_header_keys(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "vi.md").write_text(
        "Tiêu đề: Bài có khóa tiếng Việt\nNgày: 24/11/2022\nTỉnh: tỉnh Khánh Hoà\nChủ đề: ANTQ, Hội nghị\n"
        "Tác giả: Đức Thắng\nTóm tắt: Tóm tắt ngắn.\nNguồn: Báo Khánh Hòa\n\nNội dung.\n",
        encoding="utf-8",
    )
    result = build(content, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "2022" / "bai-co-khoa-tieng-viet" / "index.html").read_text(encoding="utf-8")
    assert "Thứ Năm, 24/11/2022" in html and "Khánh Hòa (cũ)" in html and "Báo Khánh Hòa" in html
    assert "/tac-gia/duc-thang/" in html and "/chu-de/hoi-nghi/" in html


def test_failed_build_keeps_the_last_good_site(tmp_path, content):
    out = tmp_path / "out"
    assert build(content, out, tmp_path / "cache").returncode == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert any(p.parts[0] == "search-index" for p in before)
    write_article(content, "bad.md", "Bài sai", "2024-13-01", "An Giang")
    _failed(build(content, out, tmp_path / "cache"), "bad.md:2:")
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith("out.")]
    assert not [name for name in leftovers if ".building-" in name]


def test_sample_content_builds_cleanly(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    result = build(tmp_path / "content", tmp_path / "out")
    assert result.returncode == 0 and "WARNING" not in result.stdout + result.stderr, result.stdout + result.stderr
