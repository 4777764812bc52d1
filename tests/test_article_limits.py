"""Every article either builds or stops the build with ``file:line: message``, in ``check`` and
in the build alike: control characters, pathological nesting and size, Markdown failures, and a
symbolic link that loops in the content folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal import limits, rendering, validation
from tests.conftest import ROOT, build, page, write_article

BODY_LINE = 5  # write_article: three header lines and a blank line


def check(content: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portal", "check", str(content)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def problem_lines(text: str, path: Path) -> list[str]:
    """The ``path:line: message`` lines about ``path`` (the build shows paths relative to the
    project when it can)."""
    shown = {str(path), os.path.relpath(path, ROOT)}
    return [line.split(":", 1)[1] for line in text.splitlines() if line.split(":", 1)[0] in shown]


CASES = {
    "1000 list markers": ("Đoạn mở đầu.\n\n" + "- " * 1000, BODY_LINE + 2, "danh sách hoặc trích dẫn lồng nhau"),
    "nested quotes": ("> " * 30 + "trích", BODY_LINE, "lồng nhau 30 cấp, quá giới hạn 20 cấp"),
    "indented lists": ("".join("    " * level + "- mục\n" for level in range(25)), BODY_LINE + 20,
                       "lồng nhau 21 cấp"),
    "NUL in the body": ("Đoạn một.\n\nCó ký tự\x00 lạ.", BODY_LINE + 2, "ký tự điều khiển U+0000 (NUL) ở cột 9"),
    "escape in the body": ("Đoạn\x1b[31m đỏ.", BODY_LINE, "ký tự điều khiển U+001B (ESC)"),
    "deep HTML": ("Đoạn.\n\n" + "<div>" * 61 + "x" + "</div>" * 61, BODY_LINE + 2, "thẻ HTML lồng nhau quá 60 cấp"),
    "deep HTML, stray end tags": ("<div></span>" * 80, BODY_LINE, "thẻ HTML lồng nhau quá 60 cấp"),
    "unclosed brackets": ("Đoạn.\n\nChữ " + "[" * 20_000, BODY_LINE + 2, 'hơn 20 dấu "[" chưa đóng'),
    "unclosed link addresses": ("Đoạn.\n\nChữ " + "[a](b " * 5_000, BODY_LINE + 2, 'hơn 20 liên kết "](" chưa có ")"'),
    "formatting in one paragraph": ("Đoạn.\n\n" + "**đậm** " * 2_000, BODY_LINE + 2,
                                    "hơn 5.000 dấu định dạng"),
    "too long": ("Xin chào. " * 100_001, BODY_LINE, "phần thân bài dài 1.000.011 ký tự, quá giới hạn 1.000.000"),
    "too many lines": ("dòng\n" * 20_001, BODY_LINE, "quá giới hạn 20.000 dòng"),
}


@pytest.mark.parametrize("name", CASES)
def test_check_and_build_stop_at_the_same_line(tmp_path, name):
    body, line, message = CASES[name]
    content = tmp_path / "content"
    write_article(content, "2023/tot.md", "Bài tốt", "2023-08-01", "An Giang", "Nội dung tốt.")
    bad = write_article(content, "2023/xau.md", "Bài xấu", "2023-08-02", "An Giang", body)
    checked = check(content)
    assert checked.returncode == 1, checked.stdout
    found = problem_lines(checked.stdout, bad)
    assert len(found) == 1 and found[0].startswith(f"{line}: ") and message in found[0], checked.stdout
    built = build(content, tmp_path / "out", tmp_path / "cache")
    assert built.returncode == 1, built.stderr
    assert problem_lines(built.stderr, bad) == found
    assert "Traceback" not in built.stderr
    assert not (tmp_path / "out").exists()


def test_a_control_character_in_the_header_is_named_at_its_line(tmp_path):
    content = tmp_path / "content"
    bad = write_article(content, "2023/a.md", "Tiêu đề\x00 lạ", "2023-08-02", "An Giang")
    checked = check(content)
    assert checked.returncode == 1
    assert problem_lines(checked.stdout, bad)[0].startswith("1: có ký tự điều khiển U+0000 (NUL) ở cột 15")


def test_just_below_the_limits_articles_build(tmp_path):
    content = tmp_path / "content"
    depth = limits.MAX_LIST_DEPTH
    write_article(content, "2023/a.md", "Danh sách sâu", "2023-08-01", "An Giang",
                  "Đoạn.\n\n" + "- " * (depth - 1) + "mục cuối\n\n" + "> " * depth + "trích")
    write_article(content, "2023/b.md", "HTML sâu", "2023-08-02", "An Giang",
                  "<div>" * limits.MAX_HTML_DEPTH + "Chữ trong cùng." + "</div>" * limits.MAX_HTML_DEPTH
                  + "\n\n" + "<p>Đoạn không đóng.\n" * 200)
    built = build(content, tmp_path / "out", tmp_path / "cache")
    assert built.returncode == 0, built.stderr
    items = page(tmp_path / "out", "2023/danh-sach-sau/").select(".article-body li")
    assert items[-1].get_text(strip=True) == "mục cuối"
    assert "Chữ trong cùng." in page(tmp_path / "out", "2023/html-sau/").select_one(".article-body").get_text()


def test_rendering_stays_linear_below_the_limits():
    """Nesting at the limit on every line costs about as much per line as plain text: twice the
    lines take about twice the time (Python-Markdown alone is quadratic past ~100 levels)."""
    def seconds(lines: int) -> float:
        body = "".join("- " * (limits.MAX_LIST_DEPTH - 1) + "mục\n\n" for _ in range(lines // 2))
        article = validation.parse(f"Title: A\nDate: 2023-01-01\nProvince: An Giang\n\n{body}", "a.md")
        assert article.ok, article.problems
        start = time.perf_counter()
        assert not rendering.render(article).errors
        return time.perf_counter() - start

    small, large = min(seconds(200) for _ in range(2)), min(seconds(800) for _ in range(2))
    assert large < 10 * small + 0.5  # quadratic would be 16 times


def _failing_settings(tmp_path, code: str):
    """A settings file: the portal's own, plus ``code`` that makes one article fail."""
    settings = tmp_path / "failing.py"
    settings.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *  # noqa\n" + code
        + f"THEME = {str(ROOT / 'theme')!r}\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n", encoding="utf-8")
    return settings


def test_a_markdown_failure_stops_check_and_build(tmp_path):
    """Pelican logs a reader failure and goes on; the portal stops with the file and line."""
    settings = _failing_settings(
        tmp_path,
        "from markdown.extensions import Extension\nfrom markdown.preprocessors import Preprocessor\n"
        "class Boom(Preprocessor):\n    def run(self, lines):\n"
        "        if any('BOOM' in line for line in lines):\n            raise RecursionError('maximum depth')\n"
        "        return lines\n"
        "class BoomExtension(Extension):\n    def extendMarkdown(self, md):\n"
        "        md.preprocessors.register(Boom(md), 'boom', 100)\n"
        "MARKDOWN = dict(MARKDOWN, extensions=[BoomExtension()])\n"
    )
    content = tmp_path / "content"
    write_article(content, "2023/tot.md", "Bài tốt", "2023-08-01", "An Giang", "Nội dung tốt.")
    bad = write_article(content, "2023/xau.md", "Bài xấu", "2023-08-02", "An Giang", "Đoạn.\n\nBOOM")
    built = build(content, tmp_path / "out", tmp_path / "cache", settings=str(settings))
    assert built.returncode == 1, built.stderr
    found = problem_lines(built.stderr, bad)
    assert len(found) == 1 and found[0].startswith(f"{BODY_LINE}: không chuyển được phần thân bài"), built.stderr
    assert "RecursionError" in found[0] and "Traceback" not in built.stderr
    article = validation.load(bad)
    assert rendering.render(article).errors == []  # the portal's own settings render it


def test_a_symlink_loop_is_one_problem_naming_it(tmp_path):
    content = tmp_path / "content"
    write_article(content, "2023/a.md", "Bài một", "2023-08-01", "An Giang", "Nội dung một.")
    write_article(content, "2023/b.md", "Bài hai", "2023-08-02", "An Giang", "Nội dung hai.")
    (content / "2023" / "vong").symlink_to(content, target_is_directory=True)
    checked = check(content)
    assert checked.returncode == 1
    named = [line for line in checked.stdout.splitlines() if "vong" in line]
    assert len(named) == 1 and "liên kết tượng trưng (symlink)" in named[0] and "vòng lặp" in named[0]
    assert "lỗi trong 1 tệp" in checked.stdout.splitlines()[-1]
    built = build(content, tmp_path / "out", tmp_path / "cache")
    assert built.returncode == 1
    errors = [line for line in built.stderr.splitlines() if ": " in line and "Dừng" not in line]
    assert len(errors) == 1 and "vong" in errors[0] and "vòng lặp" in errors[0], built.stderr


def test_a_symlink_to_a_folder_outside_is_read_by_check_and_build(tmp_path):
    """Check reads what the build reads: an article reached through a link is checked too."""
    elsewhere = tmp_path / "elsewhere"
    bad = write_article(elsewhere, "c.md", "Bài ngoài", "2023-08-03", "An Gian", "Nội dung ba.")
    content = tmp_path / "content"
    write_article(content, "2023/a.md", "Bài một", "2023-08-01", "An Giang", "Nội dung một.")
    (content / "ngoai").symlink_to(elsewhere, target_is_directory=True)
    checked = check(content)
    assert checked.returncode == 1 and 'không biết tỉnh "An Gian"' in checked.stdout
    built = build(content, tmp_path / "out", tmp_path / "cache")
    assert built.returncode == 1 and 'không biết tỉnh "An Gian"' in built.stderr
    assert bad.exists()


def test_a_file_pelican_fails_on_after_reading_stops_the_build(tmp_path):
    """Any failure Pelican logs and skips (here a plugin raising for one article) stops the build."""
    settings = _failing_settings(
        tmp_path,
        "from pelican import signals\n"
        "def boom(generator, metadata):\n"
        "    if metadata.get('title') == 'Bài xấu':\n        raise ValueError('hỏng')\n"
        "signals.article_generator_context.connect(boom)\n"
    )
    content = tmp_path / "content"
    write_article(content, "2023/tot.md", "Bài tốt", "2023-08-01", "An Giang", "Nội dung tốt.")
    bad = write_article(content, "2023/xau.md", "Bài xấu", "2023-08-02", "An Giang", "Nội dung xấu.")
    built = build(content, tmp_path / "out", tmp_path / "cache", settings=str(settings))
    assert built.returncode == 1, built.stderr
    found = problem_lines(built.stderr, bad)
    assert len(found) == 1 and found[0].startswith("1: Pelican không xử lý được bài này"), built.stderr
    assert not (tmp_path / "out").exists()


def test_imported_pages_lose_their_control_characters(tmp_path):
    """What ``portal import`` writes never fails the control-character check."""
    saved = tmp_path / "saved" / "trang.txt"
    saved.parent.mkdir()
    long = "Ban Chỉ đạo tổ chức hội nghị tổng kết phong trào toàn dân bảo vệ an ninh Tổ quốc. " * 5
    saved.write_text(f"Hội nghị tổng kết\x85 phong trào\n\nNgày 19/01/2022\n\nĐoạn\x00 một {long}\n\n"
                     f"Đoạn hai\x1b {long}\n", encoding="utf-8")
    content = tmp_path / "content"
    imported = subprocess.run([sys.executable, "-m", "portal", "import", str(saved.parent), "--province", "An Giang",
                               "--out", str(content)], cwd=ROOT, capture_output=True, text=True)
    written = list(content.rglob("*.md"))
    assert len(written) == 1, imported.stdout + imported.stderr
    assert not limits.CONTROL.search(written[0].read_text(encoding="utf-8"))
    assert check(content).returncode == 0
