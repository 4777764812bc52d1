"""``python -m portal new``: a new article file with its header filled in."""

from __future__ import annotations

import datetime as dt

import pytest

from portal import authoring, cli, validation


def new(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["new", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_creates_the_article_and_prints_its_path(tmp_path, capsys):
    code, out, err = new(
        capsys,
        "Công an tỉnh ra quân bảo đảm an ninh dịp Tết",
        "--province", "an giang",
        "--date", "2025-01-20 08:30",
        "--tags", "Ra quân, An ninh trật tự, Ra quân",
        "--author", "Tiến  Tầm",
        "--out", str(tmp_path),
    )
    path = tmp_path / "2025" / "cong-an-tinh-ra-quan-bao-dam-an-ninh-dip-tet.md"
    assert (code, out, err) == (0, f"{path}\n", "")
    assert path.read_text(encoding="utf-8") == (
        "Title: Công an tỉnh ra quân bảo đảm an ninh dịp Tết\n"
        "Date: 2025-01-20 08:30\n"
        "Province: An Giang\n"
        "Tags: Ra quân, An ninh trật tự\n"
        "Author: Tiến Tầm\n"
        "\n"
    )
    article = validation.load(path)
    assert article.problems == []
    assert [p.name for p in article.provinces] == ["An Giang"]


def test_the_new_file_passes_check(tmp_path, capsys):
    assert new(capsys, "Bài viết mới", "--province", "Khánh Hoà", "--out", str(tmp_path))[0] == 0
    assert cli.main(["check", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "Đã kiểm tra 1 bài: không có lỗi.\n"


def test_date_defaults_to_now_in_vietnam(tmp_path):
    now = dt.datetime(2025, 12, 31, 23, 59, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    path = authoring.create("Tin cuối năm", "Cần Thơ", tmp_path, now=now)
    assert path == tmp_path / "2025" / "tin-cuoi-nam.md"
    assert "Date: 2025-12-31 23:59\n" in path.read_text(encoding="utf-8")


def test_now_is_taken_in_asia_ho_chi_minh(tmp_path, monkeypatch):
    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            utc = dt.datetime(2025, 12, 31, 18, 0, tzinfo=dt.UTC)  # 01:00 on 1 January in Vietnam
            return utc.astimezone(tz) if tz else utc.replace(tzinfo=None)

    monkeypatch.setattr(authoring.dt, "datetime", Clock)
    path = authoring.create("Tin đầu năm", "Hà Nội", tmp_path)
    assert path.parent.name == "2026"
    assert "Date: 2026-01-01 01:00\n" in path.read_text(encoding="utf-8")


def test_unknown_province_is_refused_with_suggestions(tmp_path, capsys):
    code, out, err = new(capsys, "Bài viết", "--province", "Khanh Hao", "--out", str(tmp_path))
    assert code == 1 and out == ""
    assert 'không biết tỉnh "Khanh Hao". Có phải: Khánh Hòa' in err
    assert not any(tmp_path.iterdir())


def test_never_overwrites(tmp_path, capsys):
    args = ("Bài viết", "--province", "Huế", "--date", "2025-03-01", "--out", str(tmp_path))
    assert new(capsys, *args)[0] == 0
    path = tmp_path / "2025" / "bai-viet.md"
    path.write_text("Title: Bài viết\n\nĐã viết nhiều.\n", encoding="utf-8")
    code, out, err = new(capsys, *args)
    assert code == 1
    assert f"đã có bài {path}; sửa tệp đó hoặc đặt tiêu đề khác" in err
    assert path.read_text(encoding="utf-8") == "Title: Bài viết\n\nĐã viết nhiều.\n"


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("30/02/2025", 'ngày "30/02/2025" không có thật (ngày 30 tháng 2 năm 2025)'),
        ("mai", 'ngày "mai" không đọc được'),
    ],
)
def test_bad_date_is_refused(tmp_path, capsys, date, message):
    code, _, err = new(capsys, "Bài viết", "--province", "Huế", "--date", date, "--out", str(tmp_path))
    assert code == 1
    assert message in err


def test_title_without_letters_is_refused(tmp_path, capsys):
    code, _, err = new(capsys, "!!!", "--province", "Huế", "--out", str(tmp_path))
    assert code == 1
    assert 'tiêu đề "!!!" không tạo được địa chỉ bài' in err


def test_title_is_nfc_and_day_first_dates_work(tmp_path, capsys):
    import unicodedata

    title = unicodedata.normalize("NFD", "Hội nghị tổng kết")
    args = ("--province", "Cao Bằng", "--date", "12/03/2019", "--out", str(tmp_path))
    code, out, _ = new(capsys, title, *args)
    assert code == 0
    text = (tmp_path / "2019" / "hoi-nghi-tong-ket.md").read_text(encoding="utf-8")
    assert text.startswith("Title: Hội nghị tổng kết\nDate: 2019-03-12 00:00\nProvince: Cao Bằng\n")
    assert unicodedata.is_normalized("NFC", text)
