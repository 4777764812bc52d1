"""``python -m portal import``: seeds, saved pages in every encoding, furniture, captions, pictures."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from markdown import Markdown

from portal import cli, dates, validation
from portal.importer import decoding, extraction, import_page, read, writing
from tests.conftest import encode_cp1258

FIXTURES = Path(__file__).parent / "fixtures" / "import"
SEEDS = Path(__file__).parents[2] / "shared" / "seeds"
HTML_FIXTURES = sorted(p.name for p in FIXTURES.glob("*.html"))


# -- helpers ------------------------------------------------------------------------------------

def render(markdown_text: str) -> str:
    """HTML of Markdown as the site renders it (pelicanconf's MARKDOWN, as Pelican loads it)."""
    import pelicanconf

    config = dict(pelicanconf.MARKDOWN)
    config["extensions"] = list(config.get("extension_configs", {}))
    return Markdown(**config).convert(markdown_text)


def rendered_blocks(article: str) -> list[tuple[str, str]]:
    """(kind, text) of each top-level element of an article file's rendered body."""
    body = article.split("\n\n", 1)[1]
    blocks = []
    for element in BeautifulSoup(render(body), "html.parser").find_all(recursive=False):
        if element.name == "p" and "caption" in (element.get("class") or []):
            blocks.append(("caption", element.get_text()))
        elif element.name == "p" and element.find("img") and not element.get_text().strip():
            image = element.find("img")
            blocks.append(("image", f"{image['src']}|{image.get('alt', '')}"))
        elif element.name == "p":
            blocks.append(("para", element.get_text()))
        else:
            blocks.append((element.name, element.get_text()))
    return blocks


def header(article: str) -> dict[str, str]:
    head = article.split("\n\n", 1)[0]
    return dict(line.split(":", 1) for line in head.split("\n"))


def import_to(tmp_path: Path, source: Path, **options) -> tuple[object, str]:
    result = import_page(source, tmp_path / "content", **options)
    assert result.status != "failed", result.reason
    return result, result.target.read_text(encoding="utf-8")


def collapse(text: str) -> str:
    return re.sub(r"[ \t\n\r\f]+", " ", text).strip()


def expected(name: str, what: str) -> list[str]:
    """Texts a fixture marks with data-expect="para" / "caption" / "furniture"."""
    soup = BeautifulSoup((FIXTURES / name).read_text(encoding="utf-8"), "html.parser")
    for br in soup.find_all("br"):
        br.replace_with(" ")
    marked = soup.find_all(attrs={"data-expect": what})
    if what == "furniture":
        return [collapse(s) for element in marked for s in element.stripped_strings]
    return [collapse(element.get_text()) for element in marked]


def assert_no_furniture(article: str, furniture: list[str]) -> None:
    """No furniture line is a block of the body, and none long enough to be telling is inside one."""
    texts = [text.strip() for _, text in rendered_blocks(article)]
    for line in furniture:
        assert line not in texts, line
        if len(line) >= 20:
            assert not any(line in text for text in texts), line


# -- the seeds ----------------------------------------------------------------------------------

SEED_EXPECTED = {  # from ../shared/README.md
    # number: (title begins, date, province the text names, byline, captions)
    "000": ("Hội nghị tổng kết “Phong trào toàn dân", dt.datetime(2022, 1, 19), "", "Minh Trung", 1),
    "001": ("Hội nghị tổng kết phong trào Toàn dân", dt.datetime(2019, 3, 12), "", "Dương Liễu", 3),
    "002": (
        "An Giang triển khai Kế hoạch xây dựng các mô hình điển hình",
        dt.datetime(2023, 8, 30),
        "An Giang",
        "Tiến Tầm",
        6,
    ),
    "003": (
        "Công an tỉnh: Đẩy mạnh phong trào toàn dân bảo vệ ANTQ năm 2012",
        dt.datetime(2012, 2, 10, 10, 59),
        "Quảng Bình",
        "A.T",
        1,
    ),
    "004": ("Bộ Công an tổ chức Hội nghị trực tuyến", dt.datetime(2022, 11, 24), "Ninh Bình", "Đức Thắng", 1),
}
SEED_FURNITURE = [
    "Responsive image", "Lượt xem:", "Các tin tức khác", "Dịch vụ công trực tuyến", "Liên kết website",
    "Thống kê truy cập", "Tổng số: 1672241", "Trực tuyến: 11", "Hôm nay: 140", "Đang truy cập:",
    "Tin Trong Tỉnh", "Anh1.jpg", "Cổng TTĐT Bộ Công an", "Thứ Bảy, 30/09/2023", "|", ",", ".", "Tổng:",
    "Cập nhật lúc 10:59, Thứ Sáu, 10/02/2012 (GMT+7)", "Thứ Năm, 24/11/2022",
]


def seed(number: str) -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not here (a fresh clone without the shared folder)")
    return next(SEEDS.glob(f"{number}_*.txt"))


@pytest.mark.parametrize("number", sorted(SEED_EXPECTED))
def test_seed_metadata_matches_the_readme(tmp_path, number):
    title, date, province, author, _ = SEED_EXPECTED[number]
    result, text = import_to(tmp_path, seed(number))
    article = validation.parse(text, str(result.target))
    assert article.title.startswith(title)
    assert article.date == date
    assert [p.name for p in article.provinces] == ([province] if province else [])
    assert article.authors == [author]
    assert result.target == tmp_path / "content" / f"{date:%Y}" / f"{article.slug}.md"
    assert header(text)["Source"].strip() == seed(number).name
    if province:
        assert result.status == "imported" and article.problems == []
    else:  # the text names no province: nothing guessed, `check` reports it
        assert result.status == "province"
        assert [p.message.split(";")[0] for p in article.problems] == ["thiếu tỉnh"]


@pytest.mark.parametrize("number", sorted(SEED_EXPECTED))
def test_seed_body_keeps_every_paragraph_and_no_furniture(tmp_path, number):
    source = seed(number)
    _, text = import_to(tmp_path, source)
    blocks = rendered_blocks(text)
    assert {kind for kind, _ in blocks} <= {"para", "caption"}
    paragraphs = [t for kind, t in blocks if kind == "para"]
    lines = source.read_text(encoding="utf-8").split("\n")
    long_lines = [line.strip() for line in lines if len(line.split()) > 15]
    long_lines = [line for line in long_lines if not line.startswith(SEED_EXPECTED[number][0])]  # the title
    captions = [t for kind, t in blocks if kind == "caption"]
    assert paragraphs == [line for line in long_lines if line not in captions]  # verbatim, typos included
    assert len(captions) == SEED_EXPECTED[number][4]
    assert_no_furniture(text, SEED_FURNITURE + [SEED_EXPECTED[number][3]])


def test_seed_captions_and_summary():
    draft = read(seed("003"))
    captions = [b.text for b in draft.body if b.kind == extraction.CAPTION]
    assert captions == [
        "Thay mặt lãnh đạo Bộ Công an, Thiếu tướng Nguyễn Đình Thuận trao cờ thi đua cho các tập thể có "
        "thành tích xuất sắc. Ảnh: A.T"
    ]
    assert draft.summary == (
        "(QBĐT) - Ngày 9-2-2012, Công an tỉnh đã tổ chức hội nghị triển khai chương trình công tác xây "
        "dựng phong trào toàn dân bảo vệ ANTQ năm 2012."
    )
    draft = read(seed("001"))
    assert [b.text for b in draft.body if b.kind == extraction.CAPTION] == [
        "Các đại biểu dự Hội nghị.",
        "Chủ tịch UBND tỉnh Hoàng Xuân Ánh phát biểu tại Hội nghị",
        "Chủ tịch UBND tỉnh Hoàng Xuân Ánh trao tặng Cờ thi đua cho 2 tập thể có thành tích xuất sắc.",
    ]


def test_seed_province_option_fills_in_only_what_the_text_does_not_say(tmp_path):
    _, text = import_to(tmp_path / "a", seed("000"), province="Ninh Thuận")
    assert header(text)["Province"].strip() == "Ninh Thuận"
    _, text = import_to(tmp_path / "b", seed("002"), province="Ninh Thuận")
    assert header(text)["Province"].strip() == "An Giang"


def test_seeds_import_to_files_that_pass_check(tmp_path, capsys):
    seed("000")
    out = tmp_path / "content"
    assert cli.main(["import", "--out", str(out), "--province", "Ninh Thuận", str(SEEDS)]) == 0
    assert "Tổng kết: 5 đã nhập, 0 cần tỉnh, 0 bỏ qua, 0 lỗi." in capsys.readouterr().out
    assert cli.main(["check", str(out)]) == 0
    assert "Đã kiểm tra 5 bài: không có lỗi." in capsys.readouterr().out


# -- saved HTML pages ---------------------------------------------------------------------------

HTML_EXPECTED = {
    "congan-tinh.html": (
        "Ra quân tấn công trấn áp tội phạm, bảo đảm an ninh trật tự dịp Tết Nguyên đán Quý Mão 2023",
        dt.datetime(2023, 1, 12, 8, 45),
        "Quảng Trị",
        ["Hoàng Long"],
        "congan-tinh.html",
    ),
    "bao-tinh.html": (
        "Hạ Long: Triệt phá đường dây đánh bạc qua mạng hơn 100 tỷ đồng",
        dt.datetime(2024, 3, 14, 9, 30),  # article:published_time 02:30 UTC
        "Quảng Ninh",
        ["Thu Hà"],
        "https://baoquangninh.vn/ha-long-triet-pha-duong-day-danh-bac-qua-mang-3210987.html",
    ),
    "wordpress-huyen.html": (
        "Cà Mau: Bắt giữ 3 đối tượng trộm cắp tài sản",
        dt.datetime(2021, 7, 5, 8, 15),
        "Cà Mau",
        ["Ngọc Hân"],  # the byline, not the site's "admin"
        "wordpress-huyen.html",
    ),
    "ubnd-tinh.html": (
        "Hậu Giang tổng kết phong trào Toàn dân bảo vệ an ninh Tổ quốc năm 2018",
        dt.datetime(2019, 3, 14),
        "Hậu Giang",
        ["Ngọc Ánh"],
        "ubnd-tinh.html",
    ),
}


@pytest.mark.parametrize("name", HTML_FIXTURES)
def test_html_page_fields(tmp_path, name):
    title, date, province, authors, source = HTML_EXPECTED[name]
    result, text = import_to(tmp_path, FIXTURES / name)
    article = validation.parse(text, str(result.target))
    assert article.problems == []
    assert (article.title, article.date, [p.name for p in article.provinces], article.authors) == (
        title,
        date,
        [province],
        authors,
    )
    assert article.source == source


@pytest.mark.parametrize("name", HTML_FIXTURES)
def test_html_page_keeps_every_paragraph_and_caption_and_no_furniture(tmp_path, name):
    _, text = import_to(tmp_path, FIXTURES / name)
    blocks = rendered_blocks(text)
    assert [t for kind, t in blocks if kind == "para"] == expected(name, "para")
    assert [t for kind, t in blocks if kind == "caption"] == expected(name, "caption")
    assert {kind for kind, _ in blocks} <= {"para", "caption"}  # no picture file beside the page
    assert_no_furniture(text, expected(name, "furniture"))


def test_html_tags_and_summary_from_the_page():
    draft = read(FIXTURES / "bao-tinh.html")
    assert draft.tags == ["Đánh bạc qua mạng", "Công an tỉnh Quảng Ninh"]
    assert draft.summary.startswith("Công an TP Hạ Long vừa triệt phá đường dây")


def _variants(text: str, declared: str) -> dict[str, bytes]:
    """The page in each encoding old portals used; ``declared`` is its charset declaration."""
    as_1258 = declared.replace("utf-8", "windows-1258")
    return {
        "utf-8": text.encode("utf-8"),
        "utf-8 with BOM": text.encode("utf-8-sig"),
        "utf-16 with BOM": text.encode("utf-16"),
        "windows-1258 declared": encode_cp1258(text.replace(declared, as_1258)),
        "windows-1258 undeclared": encode_cp1258(text.replace(declared, "")),
        "windows-1258 declared as utf-8": encode_cp1258(text),  # the declaration lies
    }


@pytest.mark.parametrize("name", HTML_FIXTURES)
def test_html_page_in_every_encoding_gives_the_same_article(tmp_path, name):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    declared = re.search(r"<meta[^>]*charset=[\"']?utf-8[^>]*>", text)[0]
    _, reference = import_to(tmp_path / "reference", FIXTURES / name)
    for label, data in _variants(text, declared).items():
        folder = tmp_path / re.sub(r"\W+", "-", label)
        folder.mkdir()
        (folder / name).write_bytes(data)
        result, article = import_to(folder, folder / name)
        assert article == reference, label
        assert result.target.read_bytes() == reference.encode("utf-8"), label  # UTF-8, NFC, LF


def test_windows_1258_decodes_to_nfc():
    text, encoding = decoding.decode(encode_cp1258("Hội nghị tổng kết phong trào"))
    assert encoding == "cp1258"
    assert text == "Hội nghị tổng kết phong trào" and unicodedata.is_normalized("NFC", text)


def test_html_charset_declarations_are_honoured():
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258"></head>'
    assert decoding.declared_charset(page.encode()) == "cp1258"
    assert decoding.declared_charset(b'<meta charset="ISO-8859-1">') == "cp1252"
    assert decoding.declared_charset(b'<meta charset="utf-16">') is None
    # A Western page whose bytes fit its declaration is read as declared.
    text, encoding = decoding.decode('<meta charset="windows-1252"><p>Café</p>'.encode("cp1252"), markup=True)
    assert (text, encoding) == ('<meta charset="windows-1252"><p>Café</p>', "cp1252")


def test_pictures_beside_the_page_are_copied_and_linked(tmp_path):
    page = tmp_path / "trang" / "congan-tinh.html"
    page.parent.mkdir()
    shutil.copy(FIXTURES / "congan-tinh.html", page)
    picture = page.parent / "congan-tinh_files" / "raquan1.jpg"
    picture.parent.mkdir()
    picture.write_bytes(b"\xff\xd8\xff\xe0 a tiny jpeg")
    result, text = import_to(tmp_path, page)
    slug = result.target.stem
    copied = tmp_path / "content" / "images" / "2023" / f"{slug}-1.jpg"
    assert copied.read_bytes() == picture.read_bytes()
    caption = "Chủ tịch UBND tỉnh Võ Văn Hưng và lãnh đạo Công an tỉnh duyệt đội hình ra quân."
    assert f"![{caption}]({{static}}/images/2023/{slug}-1.jpg)" in text
    blocks = rendered_blocks(text)
    image = ("image", f"{{static}}/images/2023/{slug}-1.jpg|{caption}")
    assert blocks[blocks.index(image) + 1] == ("caption", caption)
    assert "dieuhanh.jpg" not in text  # a picture left on the old server is not referenced
    assert sum(kind == "image" for kind, _ in blocks) == 1


# -- copied text files --------------------------------------------------------------------------

def test_text_page_fields_captions_and_furniture(tmp_path):
    source = FIXTURES / "tin-trong-tinh.txt"
    result, text = import_to(tmp_path, source)
    article = validation.parse(text, str(result.target))
    assert article.problems == []
    assert article.title == (
        "Công an tỉnh Khánh Hoà ra quân bảo đảm an ninh, trật tự mùa du lịch biển năm 2024"  # as written
    )
    assert article.date == dt.datetime(2024, 5, 4)  # "Sáng 4/5", not the portal's "Thứ Hai, 06/05/2024"
    assert [p.name for p in article.provinces] == ["Khánh Hòa"]
    assert article.authors == ["Minh Hà"]
    blocks = rendered_blocks(text)
    lines = [line.strip() for line in source.read_text(encoding="utf-8").split("\n")]
    assert [t for kind, t in blocks if kind == "para"] == [line for line in lines if len(line.split()) > 25]
    assert [t for kind, t in blocks if kind == "caption"] == [
        "Đại tá Đoàn Ngọc Ánh, Giám đốc Công an tỉnh phát biểu tại lễ ra quân",
        "Cảnh sát cơ động tuần tra trên tuyến đường Trần Phú, thành phố Nha Trang. Ảnh: Minh Hà",
        "Các đại biểu nhấn nút phát động ra quân.",
    ]
    assert_no_furniture(
        text,
        [
            "Thứ Hai, 06/05/2024", "|", "Tin Trong Tỉnh", "Lượt xem:", "Responsive image", "Anh2.jpg",
            "Bài, ảnh: Minh Hà", "Các tin tức khác", "Công an tỉnh tổng kết công tác quý I năm 2024",
            "Dịch vụ công trực tuyến", "Thống kê truy cập", "Tổng số: 2165432", "Trực tuyến: 35",
            "Hôm nay: 1203",
        ],
    )


def test_text_page_in_every_encoding_gives_the_same_article(tmp_path):
    text = (FIXTURES / "tin-trong-tinh.txt").read_text(encoding="utf-8")
    _, reference = import_to(tmp_path / "reference", FIXTURES / "tin-trong-tinh.txt")
    variants = {
        "utf-8 with BOM": text.encode("utf-8-sig"),
        "utf-16 with BOM": text.encode("utf-16"),
        "utf-16-le without BOM": text.encode("utf-16-le"),
        "utf-16-be without BOM": text.encode("utf-16-be"),
        "windows-1258": encode_cp1258(text),
        "CRLF line ends": text.replace("\n", "\r\n").encode("utf-8"),
        "decomposed (NFD)": unicodedata.normalize("NFD", text).encode("utf-8"),
    }
    for label, data in variants.items():
        folder = tmp_path / re.sub(r"\W+", "-", label)
        folder.mkdir()
        (folder / "tin-trong-tinh.txt").write_bytes(data)
        _, article = import_to(folder, folder / "tin-trong-tinh.txt")
        assert article == reference, label
    assert "\r" not in reference and unicodedata.is_normalized("NFC", reference)


def test_text_page_picture_file_is_copied(tmp_path):
    folder = tmp_path / "nguon"
    folder.mkdir()
    shutil.copy(FIXTURES / "tin-trong-tinh.txt", folder)
    (folder / "Anh2.jpg").write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    result, text = import_to(tmp_path, folder / "tin-trong-tinh.txt")
    name = f"{result.target.stem}-1.jpg"
    assert (tmp_path / "content" / "images" / "2024" / name).read_bytes() == b"\xff\xd8\xff\xe0 jpeg"
    assert f"Ảnh: Minh Hà]({{static}}/images/2024/{name})" in text


# -- Markdown escaping --------------------------------------------------------------------------

TRICKY = [
    "1. Nắm chắc tình hình",
    "2018. Năm bản lề",
    "# Không phải tiêu đề",
    "> Không phải trích dẫn",
    "- Đối tượng khai nhận",
    "* Dấu sao đầu dòng",
    "+ Dấu cộng đầu dòng",
    "Tài khoản *vip* và _win_ và __init__ và **đậm**",
    "Xem [liên kết](http://example.com) hoặc ![ảnh](a.jpg) và [^1]",
    "Thẻ <b>in đậm</b>, <script>alert(1)</script> và <!-- chú thích -->",
    "Tỷ lệ < 5% và > 3%, a<b",
    "AT&T, &amp; &copy; &#123; &#x41; &nbsp;",
    "Đường dẫn C:\\Thu muc\\tep.txt và \\* dấu gạch",
    "Mã `code` và ```khối```",
    "Covid--19, 2021---2025, a -- b, ---",
    "Vân vân... và.... và . . .",
    "Kết thúc {: .class} {#id}",
    ": không phải định nghĩa",
    "~~~ không phải khối mã",
    "| cột | cột |",
    "*[ANTQ]: an ninh Tổ quốc",
    "Giá 50.000đ/người, <<ngoặc>> và 'nháy' \"kép\"",
    "Đường link <http://example.com> và http://example.com",
]


@pytest.mark.parametrize("text", TRICKY)
def test_escaped_paragraph_renders_back_to_its_text(text):
    html = render("Đoạn đầu.\n\n" + writing.escape_markdown(text) + "\n")
    soup = BeautifulSoup(html, "html.parser")
    blocks = [(e.name, e.get_text()) for e in soup.find_all(recursive=False)]
    assert blocks == [("p", "Đoạn đầu."), ("p", text)]


@pytest.mark.parametrize("text", ["Ảnh [1] của *tác giả*", "a]b[c", "Dấu \\ gạch"])
def test_escaped_alt_text_renders_back(text):
    html = render(f"![{writing.escape_markdown(text)}](/a.jpg)")
    assert BeautifulSoup(html, "html.parser").img["alt"] == text


# -- dates in free text -------------------------------------------------------------------------

def test_find_dates():
    found = dates.find_dates("Chiều ngày 19/01/2022, tại; có 131/159 xã; Chiều 12/3, (QBĐT) - Ngày 9-2-2012")
    assert [(d.day, d.month, d.year, d.part_of_day) for d in found] == [
        (19, 1, 2022, True),
        (12, 3, None, True),
        (9, 2, 2012, False),
    ]
    assert dates.find_dates("ngày 30 tháng 8 năm 2023")[0].on() == dt.date(2023, 8, 30)
    assert dates.find_dates("ngày 30/02/2023, 1.672.241 lượt, 83,62%") == []


@pytest.mark.parametrize(
    ("line", "when"),
    [
        ("Cập nhật lúc 10:59, Thứ Sáu, 10/02/2012 (GMT+7)", dt.datetime(2012, 2, 10, 10, 59)),
        ("Thứ Năm, 24/11/2022", dt.datetime(2022, 11, 24)),
        ("Ngày đăng: 14/03/2019 15h20", dt.datetime(2019, 3, 14, 15, 20)),
        ("24-11-2022 10:59", dt.datetime(2022, 11, 24, 10, 59)),
        ("Chiều ngày 23/11/2022, Bộ Công an tổ chức Hội nghị trực tuyến", None),
        ("Tổng số: 1672241", None),
    ],
)
def test_parse_dateline(line, when):
    assert dates.parse_dateline(line) == when


def test_guess_year():
    latest = dt.date(2026, 1, 1)
    chieu_12_3 = dates.find_dates("Chiều 12/3")[0]
    text = "tổng kết công tác năm 2018, triển khai nhiệm vụ năm 2019"
    assert dates.guess_year(chieu_12_3, text, latest) == 2019
    sang_30_8 = dates.find_dates("Sáng ngày 30/8")[0]
    text = "Công văn số 12 ngày 31/3/2023 … giai đoạn 2023 - 2025, đến năm 2030"
    assert dates.guess_year(sang_30_8, text, latest) == 2023
    assert dates.guess_year(sang_30_8, "giai đoạn 2023 - 2025, đến năm 2030", latest) == 2023
    # A day/month before the latest full date falls in the next year: "ngày 20/12/2022" then "15/1".
    ngay_15_1 = dates.find_dates("ngày 15/1")[0]
    assert dates.guess_year(ngay_15_1, "Kế hoạch ngày 20/12/2022", latest) == 2023
    # Never after the portal's "today".
    assert dates.guess_year(sang_30_8, "năm 2024", dt.date(2024, 5, 6)) == 2023
    assert dates.guess_year(sang_30_8, "không có năm nào", latest) is None


# -- province -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "province"),
    [
        ("học tập và làm theo tấm gương đạo đức Hồ Chí Minh", ""),
        ("Công an TP.HCM vừa bắt giữ", "Hồ Chí Minh"),
        ("trên địa bàn tỉnh ta", ""),
        ("truyền thống của người công an Quảng Bình", "Quảng Bình"),
        ("tấm lòng an dân, bình định", ""),
        ("Hội nghị Trung ương và toàn quốc", ""),
        ("điểm cầu Công an tỉnh Ninh Bình, Bộ Công an ở Hà Nội", "Ninh Bình"),
        ("Hà Nội gửi quà; Công an tỉnh Khánh Hoà; tỉnh Khánh Hòa", "Khánh Hòa"),
    ],
)
def test_find_province(text, province):
    assert extraction.find_province(text, dt.date(2022, 1, 1)) == province


# -- the command ----------------------------------------------------------------------------------

def test_same_page_twice_gives_the_same_file_and_never_overwrites(tmp_path, capsys):
    source = FIXTURES / "congan-tinh.html"
    out = tmp_path / "content"
    assert cli.main(["import", "--out", str(out), str(source)]) == 0
    target = next(out.rglob("*.md"))
    first = target.read_bytes()
    capsys.readouterr()

    target.write_text("sửa tay", encoding="utf-8")
    assert cli.main(["import", "--out", str(out), str(source)]) == 0
    printed = capsys.readouterr().out
    assert f"bỏ qua (đã có): {target} — dùng --force để ghi đè" in printed
    assert "Tổng kết: 0 đã nhập, 0 cần tỉnh, 1 bỏ qua, 0 lỗi." in printed
    assert target.read_text(encoding="utf-8") == "sửa tay"

    assert cli.main(["import", "--force", "--out", str(out), str(source)]) == 0
    assert target.read_bytes() == first
    assert cli.main(["import", "--out", str(tmp_path / "other"), str(source)]) == 0
    assert (tmp_path / "other" / target.relative_to(out)).read_bytes() == first


def test_dry_run_writes_nothing(tmp_path, capsys):
    out = tmp_path / "content"
    assert cli.main(["import", "--dry-run", "--out", str(out), str(FIXTURES)]) == 0
    printed = capsys.readouterr().out
    assert not out.exists()
    assert "đã nhập: " in printed
    assert "Chạy thử, không ghi tệp nào: 5 đã nhập, 0 cần tỉnh, 0 bỏ qua, 0 lỗi." in printed


def test_failures_are_reported_with_reasons(tmp_path, capsys):
    folder = tmp_path / "nguon"
    folder.mkdir()
    (folder / "rong.txt").write_bytes(b"  \n\n")
    (folder / "anh.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "chi-tieu-de.txt").write_text("Chỉ có một dòng tiêu đề thôi\n", encoding="utf-8")
    (folder / "khong-ngay.txt").write_text(
        "Tiêu đề của một bài không ngày\n\n" + "Một đoạn văn dài không nói gì về ngày tháng, " * 3 + "\n",
        encoding="utf-8",
    )
    (folder / "tot.txt").write_bytes((FIXTURES / "tin-trong-tinh.txt").read_bytes())
    (tmp_path / "anh.png").write_bytes(b"\x89PNG")
    missing, picture = tmp_path / "khong-co", tmp_path / "anh.png"
    code = cli.main(["import", "--out", str(tmp_path / "content"), str(folder), str(missing), str(picture)])
    captured = capsys.readouterr()
    assert code == 1
    assert f"lỗi: {folder / 'rong.txt'}: tệp rỗng" in captured.err
    assert f"lỗi: {folder / 'anh.txt'}: không nhận ra bảng mã" in captured.err
    assert f"lỗi: {folder / 'chi-tieu-de.txt'}: không tìm thấy đoạn văn nào" in captured.err
    assert f"lỗi: {folder / 'khong-ngay.txt'}: không tìm thấy ngày đăng" in captured.err
    assert f"lỗi: {tmp_path / 'khong-co'}: không tìm thấy tệp hoặc thư mục này" in captured.err
    assert f"lỗi: {tmp_path / 'anh.png'}: chỉ nhập được tệp .txt, .html hoặc .htm" in captured.err
    assert "Tổng kết: 1 đã nhập, 0 cần tỉnh, 0 bỏ qua, 6 lỗi." in captured.out


def test_unknown_province_option_is_refused_with_suggestions(tmp_path, capsys):
    assert cli.main(["import", "--province", "Ninh Thuan x", "--out", str(tmp_path), str(FIXTURES)]) == 1
    assert 'không biết tỉnh "Ninh Thuan x". Có phải: Ninh Thuận' in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_article_needing_a_province_is_counted(tmp_path, capsys):
    page = tmp_path / "khong-tinh.txt"
    page.write_text(
        "Hội nghị tổng kết công tác bảo đảm an ninh trật tự\n\n"
        "Chiều ngày 19/01/2022, tại Văn phòng UBND tỉnh, đồng chí Phó Chủ tịch UBND tỉnh chủ trì hội "
        "nghị tổng kết công tác bảo đảm an ninh trật tự năm 2021.\n\nMinh Trung\n",
        encoding="utf-8",
    )
    assert cli.main(["import", "--out", str(tmp_path / "content"), str(page)]) == 0
    printed = capsys.readouterr().out
    assert "cần tỉnh: " in printed and "--province" in printed
    assert "Tổng kết: 0 đã nhập, 1 cần tỉnh, 0 bỏ qua, 0 lỗi." in printed
    text = next((tmp_path / "content").rglob("*.md")).read_text(encoding="utf-8")
    assert "\nProvince:\n" in text


def test_progress_bar_for_many_files_on_a_terminal(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "nguon"
    for index in range(7):
        page = folder / f"{index}" / "trang.html"
        page.parent.mkdir(parents=True)
        text = (FIXTURES / "bao-tinh.html").read_text(encoding="utf-8")
        page.write_text(text.replace("hơn 100 tỷ đồng", f"hơn {index + 100} tỷ đồng"), encoding="utf-8")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert cli.main(["import", "--out", str(tmp_path / "content"), str(folder)]) == 0
    assert "Tổng kết: 7 đã nhập, 0 cần tỉnh, 0 bỏ qua, 0 lỗi." in capsys.readouterr().out
    assert len(list((tmp_path / "content").rglob("*.md"))) == 7


def test_one_run_never_writes_one_file_twice(tmp_path, capsys):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(FIXTURES / "tin-trong-tinh.txt", tmp_path / folder)
    out = str(tmp_path / "content")
    code = cli.main(["import", "--force", "--out", out, str(tmp_path / "a"), str(tmp_path / "b")])
    printed = capsys.readouterr().out
    assert code == 0
    assert f"bỏ qua: {tmp_path / 'b' / 'tin-trong-tinh.txt'}: cùng địa chỉ " in printed
    assert "Tổng kết: 1 đã nhập, 0 cần tỉnh, 1 bỏ qua, 0 lỗi." in printed


def test_files_a_browser_saved_beside_a_page_are_not_pages(tmp_path, capsys):
    shutil.copy(FIXTURES / "bao-tinh.html", tmp_path / "trang.html")
    (tmp_path / "trang_files").mkdir()
    (tmp_path / "trang_files" / "quang-cao.html").write_text("<p>Quảng cáo</p>", encoding="utf-8")
    assert cli.main(["import", "--out", str(tmp_path / "content"), str(tmp_path)]) == 0
    assert "Tổng kết: 1 đã nhập, 0 cần tỉnh, 0 bỏ qua, 0 lỗi." in capsys.readouterr().out


def test_bytes_that_are_not_text_are_refused():
    with pytest.raises(decoding.DecodeError, match="tệp không phải văn bản"):
        decoding.decode(b"\x00\x01\x02a" * 200)


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("Bài, ảnh: Tiến Tầm", ["Tiến Tầm"]),
        ("Bài và ảnh: Ngọc Ánh (CTV)", ["Ngọc Ánh"]),
        ("A.T", ["A.T"]),
        ("Minh Anh - Hoàng Long", ["Minh Anh", "Hoàng Long"]),
        ("Cổng TTĐT Bộ Công an", []),
        ("Tin Trong Tỉnh", []),
        ("Theo TTXVN", []),
        ("Báo Quảng Ninh", []),
        ("An Giang", []),
        ("Trực tuyến: 11", []),
        ("Các đại biểu dự Hội nghị.", []),
    ],
)
def test_person_names_in_a_byline(line, names):
    assert extraction.person_names(line) == names


def test_captions_render_back_to_their_text(tmp_path):
    tricky = "Ảnh 1 -- đại biểu... dự *hội nghị* & <khách> [mời]"
    draft = extraction.Draft(
        title="Tiêu đề",
        date=dt.datetime(2024, 1, 2),
        authors=[],
        province="",
        summary="Đoạn.",
        body=[extraction.Block(extraction.PARA, "Đoạn."), extraction.Block(extraction.CAPTION, tricky)],
    )
    text = writing.plan(draft, tmp_path / "trang.txt", tmp_path).text
    assert rendered_blocks(text) == [("para", "Đoạn."), ("caption", tricky)]


def test_a_sentence_starting_like_furniture_is_text():
    blocks = extraction.text_blocks(
        "Tiêu đề của bài viết thử nghiệm\n\nNgày 9-2-2012, Công an tỉnh tổ chức hội nghị.\n\n"
        "Tin liên quan đến vụ việc cho thấy các đối tượng đã chuẩn bị từ trước, theo cơ quan điều tra.\n\n"
        "Chủ đề: an ninh trật tự ở cơ sở được các đại biểu thảo luận sôi nổi trong suốt buổi hội nghị.\n\n"
        "Tin liên quan\n\nMột tin khác\n"
    )
    draft = extraction.extract(blocks)
    assert [b.text[:14] for b in draft.body] == ["Ngày 9-2-2012,", "Tin liên quan ", "Chủ đề: an nin"]
