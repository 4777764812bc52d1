"""Photos: a site with photos made here (Pillow), built by Pelican, read with BeautifulSoup and Pillow."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from portal import photos
from tests.conftest import ROOT, build, page, write_article

GPS_IFD = 0x8825
ORIENTATION = 0x0112
BODY = """Đoạn mở đầu của bài.

![Các đại biểu dự Hội nghị.]({static}/images/2024/hoi-nghi.jpg)

Đoạn thứ hai.

![Biểu trưng](../images/2024/bieu-trung.png)

<p class="caption">Biểu trưng trong suốt</p>

Đoạn cuối.
"""


def sideways_jpeg(path: Path, size=(4000, 3000)) -> None:
    """A phone photo: stored landscape, EXIF says rotate 90°, GPS and serial inside."""
    image = Image.new("RGB", size, (180, 40, 40))
    image.paste((20, 20, 200), (0, 0, size[0], size[1] // 10))  # a blue band along the stored top
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "PhoneMaker"
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    exif[GPS_IFD] = {1: "N", 2: (10.0, 22.0, 5.0), 3: "E", 4: (105.0, 25.0, 7.0)}
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, quality=85, exif=exif.tobytes())


def alpha_png(path: Path) -> None:
    image = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
    image.paste((200, 0, 0, 160), (100, 100, 700, 500))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


def photo_content(content: Path, body: str) -> Path:
    """A content folder with the two test photos and an article showing them (``body``)."""
    sideways_jpeg(content / "images" / "2024" / "hoi-nghi.jpg")
    alpha_png(content / "images" / "2024" / "bieu-trung.png")
    write_article(content / "2024", "co-anh.md", "Hội nghị có ảnh", "2024-03-01", "An Giang", body,
                  summary="Tóm tắt của bài có ảnh.")
    return content


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory):
    work = tmp_path_factory.mktemp("photos")
    content = photo_content(work / "content", BODY)
    write_article(content / "2024", "anh-dau-bai.md", "Bài chỉ có ảnh đầu bài", "2024-03-02", "Cao Bằng",
                  image="{static}/images/2024/bieu-trung.png")
    result = build(content, work / "out", work / "cache")
    assert result.returncode == 0, result.stderr
    return work


def test_photo_becomes_figure_with_picture(photo_site):
    doc = page(photo_site / "out", "2024/hoi-nghi-co-anh/")
    figures = doc.select(".article-body figure.photo")
    assert len(figures) == 2
    first = figures[0]
    assert first.figcaption.get_text() == "Các đại biểu dự Hội nghị."
    img = first.select_one("picture img")
    assert img["alt"] == "Các đại biểu dự Hội nghị."
    assert (img["width"], img["height"]) == ("3000", "4000")  # upright
    assert "loading" not in img.attrs  # the lead photo loads at once
    source = first.select_one("picture source")
    assert source["type"] == "image/webp"
    assert [c.split()[1] for c in source["srcset"].split(", ")] == ["480w", "960w", "1600w"]
    assert img["sizes"] and img["src"].endswith(".jpg")
    second = figures[1].select_one("img")
    assert second["loading"] == "lazy"
    assert figures[1].figcaption.get_text() == "Biểu trưng trong suốt"  # the caption paragraph after it
    assert not doc.select(".article-body p.caption")


def test_variants_upright_small_and_without_metadata(photo_site):
    out = photo_site / "out"
    made = sorted((out / "anh").rglob("*.*"))
    assert made
    for path in made:
        with Image.open(path) as image:
            exif = image.getexif()
            assert GPS_IFD not in exif and 0xA431 not in exif and 0x010F not in exif, path
            assert not exif.get_ifd(GPS_IFD), path
            assert image.width <= 1600, path
            assert b"SERIAL-12345" not in path.read_bytes()
    jpegs = [p for p in made if p.name.endswith("-1600.jpg")]
    assert jpegs
    with Image.open(jpegs[0]) as image:
        assert image.size == (1600, 2133)  # portrait: EXIF orientation applied
        top = image.getpixel((image.width - 5, image.height // 2))
        assert top[2] > 150  # the blue band, stored at the top, is now on the right
    # originals (with their GPS) never reach the output
    assert not list(out.rglob("hoi-nghi.jpg")) and not list(out.rglob("bieu-trung.png"))


def test_transparent_png_keeps_alpha_and_is_not_upscaled(photo_site):
    doc = page(photo_site / "out", "2024/hoi-nghi-co-anh/")
    img = doc.select(".article-body figure.photo img")[1]
    assert img["src"].endswith(".png") and img["width"] == "800"
    srcset = doc.select(".article-body figure.photo source")[1]["srcset"]
    assert [c.split()[1] for c in srcset.split(", ")] == ["480w", "800w"]
    with Image.open(photo_site / "out" / img["src"].lstrip("/")) as png:
        assert png.mode == "RGBA" and png.getpixel((0, 0))[3] == 0
    webp = photo_site / "out" / srcset.split(", ")[-1].split()[0].lstrip("/")
    with Image.open(webp) as image:
        assert image.mode == "RGBA"


def test_orphan_caption_is_a_quiet_note(tmp_path):
    content = tmp_path / "content"
    write_article(content / "2024", "a.md", "Bài mất ảnh", "2024-03-01", "An Giang",
                  'Đoạn một.\n\n<p class="caption">Các đại biểu tham dự</p>\n\nĐoạn hai.')
    assert build(content, tmp_path / "out", tmp_path / "cache").returncode == 0
    doc = page(tmp_path / "out", "2024/bai-mat-anh/")
    caption = doc.select_one(".article-body .caption")
    assert "caption-orphan" in caption["class"] and not doc.select(".article-body figure")


def test_header_image_is_the_lead_photo_without_one_in_the_body(photo_site):
    doc = page(photo_site / "out", "2024/bai-chi-co-anh-dau-bai/")
    figure = doc.select_one(".article-body figure.photo")
    assert figure is not None and figure.img["alt"] == "Bài chỉ có ảnh đầu bài"


def test_rebuild_after_a_text_edit_processes_no_photo(photo_site):
    article = photo_site / "content" / "2024" / "co-anh.md"
    before = {p: p.stat().st_mtime_ns for p in (photo_site / "cache" / "photos" / "anh").rglob("*.*")}
    article.write_text(article.read_text(encoding="utf-8").replace("Đoạn cuối.", "Đoạn cuối, đã sửa."),
                       encoding="utf-8")
    start = time.perf_counter()
    result = build(photo_site / "content", photo_site / "out", photo_site / "cache")
    assert result.returncode == 0, result.stderr
    assert time.perf_counter() - start < 30
    after = {p: p.stat().st_mtime_ns for p in (photo_site / "cache" / "photos" / "anh").rglob("*.*")}
    assert before == after
    assert "đã sửa" in page(photo_site / "out", "2024/hoi-nghi-co-anh/").get_text()
    assert list((photo_site / "out" / "anh").rglob("*.webp"))


@pytest.mark.parametrize(("make", "message"), [
    (None, "không tìm thấy ảnh"),
    (lambda p: p.write_text("không phải ảnh"), "không phải ảnh đọc được"),
])
def test_bad_photo_stops_build_and_check_with_file_line(tmp_path, make, message):
    content = tmp_path / "content"
    if make:
        (content / "images").mkdir(parents=True)
        make(content / "images" / "x.jpg")
    path = write_article(content / "2024", "a.md", "Bài ảnh hỏng", "2024-03-01", "An Giang",
                         "Đoạn một.\n\n![Chú thích]({static}/images/x.jpg)\n")
    result = build(content, tmp_path / "out", tmp_path / "cache")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "a.md:7: " in result.stderr and message in result.stderr
    assert not (tmp_path / "out").exists()
    checked = subprocess.run([sys.executable, "-m", "portal", "check", str(content)], cwd=ROOT,
                             capture_output=True, text=True)
    assert checked.returncode == 1 and f"{path}:7:" in checked.stdout and message in checked.stdout


def test_photo_over_the_size_limit_and_without_caption(tmp_path, monkeypatch):
    content = tmp_path / "content"
    alpha_png(content / "images" / "a.png")
    article = write_article(content / "2024", "a.md", "Bài", "2024-03-01", "An Giang",
                            "![](../images/a.png)\n")
    checked = subprocess.run([sys.executable, "-m", "portal", "check", str(content)], cwd=ROOT,
                             capture_output=True, text=True)
    assert checked.returncode == 0 and f"{article}:5:" in checked.stdout and "chú thích" in checked.stdout
    monkeypatch.setattr(photos, "MAX_BYTES", 100)
    with pytest.raises(photos.PhotoError, match="quá giới hạn"):
        photos.inspect(content / "images" / "a.png")


def test_widths_never_upscale():
    small = photos.Photo("x", "ab" * 32, 300, 200, False)
    assert small.widths() == [300] and small.share_width == 300
    assert photos.Photo("x", "ab" * 32, 1000, 500, False).widths() == [480, 960, 1000]
    assert photos.Photo("x", "ab" * 32, 1600, 900, False).widths() == [480, 960, 1600]
    assert os.path.basename(small.name(300, "webp")) == "abababababababab-300.webp"


def test_a_photo_replaced_during_the_build_is_not_stored_under_the_old_one(tmp_path):
    """Sizes are made after the photo was inspected: a photo replaced in between must not be
    stored under the first one's hash (that photo, put back later, would show the other)."""
    path = tmp_path / "anh.jpg"
    sideways_jpeg(path, size=(800, 600))
    photo = photos.inspect(path)
    Image.new("RGB", (800, 600), (20, 90, 200)).save(path, "JPEG")
    with pytest.raises(photos.PhotoChanged, match="anh.jpg"):
        photos.make(photo, tmp_path / "cache")
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    again = photos.inspect(path)  # the next build: the new photo, under its own hash
    photos.make(again, tmp_path / "cache")
    assert again.digest != photo.digest and all((tmp_path / "cache" / name).is_file() for name, _w, _k in again.files())
