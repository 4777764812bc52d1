"""``python -m portal check``: one test per problem, with its message; ``--fix``; the summary."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from portal import cli
from tests.conftest import ROOT, build

BODY = "Chiều ngày 19/01/2022, tại Văn phòng UBND tỉnh, đồng chí Phó Chủ tịch UBND tỉnh chủ trì hội nghị."


def article(title="Hội nghị tổng kết phong trào", date="2022-01-19 14:00", province="Ninh Thuận", body=BODY):
    lines = []
    if title is not None:
        lines.append(f"Title: {title}")
    if date is not None:
        lines.append(f"Date: {date}")
    if province is not None:
        lines.append(f"Province: {province}")
    return "\n".join(lines) + "\n\n" + body + "\n"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def check(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(["check", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_sample_content_is_clean(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out = check(capsys)
    count = len(list((ROOT / "content").rglob("*.md")))
    assert (code, out) == (0, f"Đã kiểm tra {count} bài: không có lỗi.\n")


def test_clean_folder_one_line_summary(tmp_path, capsys):
    write(tmp_path, "2022/a.md", article())
    write(tmp_path, "2022/b.md", article(title="Bài thứ hai", body="Một nội dung khác hẳn."))
    assert check(capsys, str(tmp_path)) == (0, "Đã kiểm tra 2 bài: không có lỗi.\n")


def test_problems_one_per_line_sorted_with_summary_and_exit_1(tmp_path, capsys):
    write(tmp_path, "b.md", article(date="30/02/2022", province="An Gian"))
    write(tmp_path, "a.md", article(title=None))
    code, out = check(capsys, str(tmp_path))
    lines = out.splitlines()
    assert code == 1
    assert [line.split(": ", 1)[0] for line in lines[:-1]] == [
        f"{tmp_path}/a.md:1",
        f"{tmp_path}/b.md:2",
        f"{tmp_path}/b.md:3",
    ]
    assert lines[-1] == "Đã kiểm tra 2 bài: 3 lỗi trong 2 tệp."


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("", 1, "tệp rỗng; hãy viết bài (xem `python -m portal new`) hoặc xóa tệp"),
        ("  \n\n", 1, "tệp rỗng; hãy viết bài"),
        (article(title=None), 1, 'thiếu tiêu đề; thêm dòng "Title: <tiêu đề bài>" ở đầu tệp'),
        (article(title=""), 1, "thiếu tiêu đề"),
        (article(date=None), 1, 'thiếu ngày đăng; thêm dòng "Date: 2022-11-24" (năm-tháng-ngày)'),
        (article(date="hôm qua"), 2, 'ngày "hôm qua" không đọc được; hãy viết theo dạng 2022-11-24'),
        (article(date="30/02/2022"), 2, 'ngày "30/02/2022" không có thật (ngày 30 tháng 2 năm 2022)'),
        (article(date="2022-13-01"), 2, 'ngày "2022-13-01" không có thật (ngày 1 tháng 13 năm 2022)'),
        (article(province=None), 1, 'thiếu tỉnh; ghi tỉnh nơi bài được viết, ví dụ "Province: An Giang"'),
        (article(province=""), 3, "thiếu tỉnh"),
        (
            article(province="An Gian"),
            3,
            'không biết tỉnh "An Gian". Có phải: An Giang, Hà Giang, Hậu Giang? Sửa lại tên tỉnh ở dòng này',
        ),
    ],
)
def test_each_problem_has_its_message(tmp_path, capsys, content, line, message):
    path = write(tmp_path, "2022/bai.md", content)
    code, out = check(capsys, str(tmp_path))
    assert code == 1
    assert f"{path}:{line}: {message}" in out
    assert out.splitlines()[-1].startswith("Đã kiểm tra 1 bài: ")


def test_not_utf8_says_to_run_import(tmp_path, capsys):
    path = write(tmp_path, "cu.md", article().encode("utf-16"))
    cp1258 = write(tmp_path, "cu2.md", b"Title: H\xf4\xf2i ngh\xec\xf2\n")  # "Hội nghị" in Windows-1258
    code, out = check(capsys, str(tmp_path))
    assert code == 1
    assert (
        f"{path}:1: tệp không phải UTF-8 (có thể là Windows-1258 hoặc UTF-16); hãy chuyển nó bằng "
        f"`python -m portal import {path}` thay vì sửa tay"
    ) in out
    assert f"{cp1258}:1: tệp không phải UTF-8" in out


def test_two_articles_sharing_a_url(tmp_path, capsys):
    first = write(tmp_path, "2022/a.md", article())
    second = write(tmp_path, "2022/b.md", article(body="Một nội dung khác hẳn."))
    code, out = check(capsys, str(tmp_path))
    assert code == 1
    assert (
        f"{second}:1: trùng địa chỉ /2022/hoi-nghi-tong-ket-phong-trao/ với {first}; thêm dòng "
        '"Slug: ..." khác nhau vào một trong hai bài'
    ) in out


def test_duplicate_articles(tmp_path, capsys):
    first = write(tmp_path, "2022/a.md", article())
    second = write(tmp_path, "2022/b.md", article(title="Tiêu đề khác", body=BODY.upper() + "\n"))
    code, out = check(capsys, str(tmp_path))
    assert code == 1
    assert f"{second}:5: bài này trùng nội dung với {first}; xóa một trong hai tệp" in out


def test_duplicate_articles_with_the_other_tone_placement(tmp_path, capsys):
    body = "Đồng chí Chủ tịch UBND tỉnh Khánh Hòa chủ trì hội nghị về phong trào ở xã Hòa Thuận."
    first = write(tmp_path, "2022/a.md", article(body=body))
    second = write(tmp_path, "2022/b.md", article(title="Tiêu đề khác", body=body.replace("Hòa", "Hoà")))
    code, out = check(capsys, str(tmp_path))
    assert code == 1
    assert f"{second}:5: bài này trùng nội dung với {first}; xóa một trong hai tệp" in out


def test_pages_need_only_a_title_and_are_not_compared(tmp_path, capsys):
    write(tmp_path, "pages/gioi-thieu.md", "Title: Giới thiệu\n\n" + BODY + "\n")
    write(tmp_path, "2022/a.md", article())
    assert check(capsys, str(tmp_path)) == (0, "Đã kiểm tra 2 bài: không có lỗi.\n")


def test_not_nfc_and_fix(tmp_path, capsys):
    text = article().replace("\n", "\r\n")
    decomposed = unicodedata.normalize("NFD", text)
    path = write(tmp_path, "2022/a.md", b"\xef\xbb\xbf" + decomposed.encode("utf-8"))
    other = write(tmp_path, "2022/cu.md", "Title: Hội nghị\n".encode("utf-16"))
    other_bytes = other.read_bytes()

    code, out = check(capsys, str(tmp_path))
    assert code == 1
    assert (
        f"{path}:1: chữ tiếng Việt chưa ở dạng chuẩn NFC (dấu tách rời chữ); chạy "
        f"`python -m portal check --fix {path}` để chuẩn hóa"
    ) in out

    code, out = check(capsys, "--fix", str(tmp_path))
    assert f"đã chuẩn hóa NFC: {path}" in out
    assert "cu.md: đã chuẩn hóa" not in out
    # CRLF line ends and the BOM kept: only the letters change
    assert path.read_bytes() == b"\xef\xbb\xbf" + unicodedata.normalize("NFC", text).encode("utf-8")
    assert other.read_bytes() == other_bytes  # never touches a file that is not UTF-8
    assert "chưa ở dạng chuẩn NFC" not in out
    assert out.splitlines()[-1] == "Đã kiểm tra 2 bài: 1 lỗi trong 1 tệp."


def test_fix_on_a_clean_folder_changes_nothing(tmp_path, capsys):
    path = write(tmp_path, "2022/a.md", article())
    before = path.read_bytes()
    assert check(capsys, "--fix", str(tmp_path)) == (0, "Đã kiểm tra 1 bài: không có lỗi.\n")
    assert path.read_bytes() == before


def test_missing_folder(tmp_path, capsys):
    code, out = check(capsys, str(tmp_path / "khong-co"))
    assert code == 2
    assert f"không tìm thấy thư mục bài viết: {tmp_path / 'khong-co'}" in out


@pytest.mark.parametrize(
    "content, line, message",
    [
        (article(body="Đoạn.\n\n<script>alert(1)</script>"), 7, "cảnh báo: đã bỏ thẻ <script> cùng nội dung bên trong"),
        (article(body='<iframe src="https://example.com"></iframe>'), 5, "cảnh báo: đã bỏ thẻ <iframe>"),
        (article(body='<p onclick="steal()">Bấm vào đây</p>'), 5, "cảnh báo: đã bỏ thuộc tính onclick của thẻ <p>"),
        (article(body="[Xem thêm](javascript:alert(1))"), 5, 'cảnh báo: đã bỏ địa chỉ "javascript:alert(1)"'),
    ],
)
def test_active_content_is_removed_with_a_warning(tmp_path, capsys, content, line, message):
    """Scripts, frames, event handlers and javascript: links are removed from the page (see
    test_content_safety); check names each at its line, and a warning alone is no error."""
    path = write(tmp_path, "2022/bai.md", content)
    code, out = check(capsys, str(tmp_path))
    assert code == 0
    assert f"{path}:{line}: {message}" in out
    assert out.splitlines()[-1] == "Đã kiểm tra 1 bài: không có lỗi. 1 cảnh báo."


def test_a_single_file_can_be_checked(tmp_path, capsys):
    path = write(tmp_path, "a.md", article(province=None))
    code, out = check(capsys, str(path))
    assert code == 1
    assert f"{path}:1: thiếu tỉnh" in out


def test_the_build_stops_with_the_same_messages(tmp_path, capsys):
    """The build runs the same checks: the same ``path:line: message`` lines, no traceback."""
    content = tmp_path / "content"
    write(content, "2022/a.md", article(date="30/02/2022", province="An Gian", body="Đoạn.\x00"))
    write(content, "2022/b.md", article(body="Nội dung một."))
    write(content, "2022/c.md", article(body="Nội dung hai."))
    write(content, "2022/rong.md", "")
    write(content, "2022/cu.md", article().encode("utf-16"))
    result = build(content, tmp_path / "output", cache=tmp_path / "cache")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    code, out = check(capsys, str(content))
    assert code == 1
    problems = [line for line in out.splitlines() if line.startswith(str(content))]
    assert len(problems) == 6
    built = [line for line in result.stderr.splitlines() if line.startswith(str(content))]
    assert sorted(built) == sorted(problems)
    assert not (tmp_path / "output").exists()


def test_a_page_checked_alone_needs_only_a_title(tmp_path, capsys):
    page = write(tmp_path, "pages/gioi-thieu.md", "Title: Giới thiệu\n\n" + BODY + "\n")
    assert check(capsys, str(page)) == (0, "Đã kiểm tra 1 bài: không có lỗi.\n")
