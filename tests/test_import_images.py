"""``portal import``: pictures still on the old server are listed as not fetched, or fetched with
``--fetch-images`` (from a local HTTP server here), safely; the result builds with its photo."""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image

from portal.importer import fetching
from tests.conftest import ROOT, build, page

FIXTURE = ROOT / "tests" / "fixtures" / "import" / "bao-tinh.html"
CDN = "https://cdn.baoquangninh.vn/2024/03/14/tang-vat.jpg"


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def old_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("old-server")
    (root / "2024").mkdir()
    Image.new("RGB", (1200, 800), (30, 90, 160)).save(root / "2024" / "tang-vat.jpg", quality=85)
    (root / "2024" / "gia.jpg").write_text("<html>không phải ảnh</html>", encoding="utf-8")  # served as image/jpeg
    (root / "2024" / "trang.html").write_text("<p>trang</p>", encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _page(folder: Path, src: str) -> Path:
    target = folder / "bao-tinh.html"
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(FIXTURE.read_text(encoding="utf-8").replace(CDN, src), encoding="utf-8")
    return target


def _import(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portal", "import", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_remote_picture_is_listed_as_not_fetched(tmp_path, old_server):
    source = _page(tmp_path / "saved", f"{old_server}/2024/tang-vat.jpg")
    result = _import(str(source), "--out", str(tmp_path / "content"), "--province", "Quảng Ninh")
    assert result.returncode == 0, result.stderr
    assert f"ảnh chưa tải: {old_server}/2024/tang-vat.jpg (dùng --fetch-images để tải)" in result.stdout
    assert "1 ảnh còn trên máy chủ cũ, chưa tải" in result.stdout
    text = next((tmp_path / "content").rglob("*.md")).read_text(encoding="utf-8")
    assert "tang-vat" not in text and '<p class="caption">Tang vật vụ án được thu giữ.' in text
    assert not (tmp_path / "content" / "images").exists()


def test_fetch_images_downloads_and_the_site_shows_the_photo(tmp_path, old_server):
    source = _page(tmp_path / "saved", f"{old_server}/2024/tang-vat.jpg")
    content = tmp_path / "content"
    result = _import(str(source), "--out", str(content), "--province", "Quảng Ninh", "--fetch-images")
    assert result.returncode == 0, result.stderr
    assert "Đã tải 1 ảnh từ máy chủ cũ." in result.stdout and "chưa tải" not in result.stdout
    article = next(content.rglob("*.md"))
    picture = next((content / "images").rglob("*.jpg"))
    assert f"({{static}}/images/2024/{picture.name})" in article.read_text(encoding="utf-8")
    with Image.open(picture) as image:
        assert image.size == (1200, 800)
    checked = subprocess.run([sys.executable, "-m", "portal", "check", str(content)], cwd=ROOT,
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    assert build(content, tmp_path / "out", tmp_path / "cache").returncode == 0
    doc = page(tmp_path / "out", f"2024/{article.stem}/")
    figure = doc.select_one(".article-body figure.photo")
    assert figure.figcaption.get_text().startswith("Tang vật vụ án được thu giữ.")
    assert figure.img["width"] == "1200"


@pytest.mark.parametrize(("path", "reason"), [
    ("/2024/gia.jpg", "tệp tải về không phải ảnh đọc được"),
    ("/2024/trang.html", "máy chủ không trả về ảnh (text/html)"),
    ("/2024/khong-co.jpg", "không tải được"),
])
def test_what_is_not_a_picture_is_not_kept(tmp_path, old_server, path, reason):
    source = _page(tmp_path / "saved", old_server + path)
    content = tmp_path / "content"
    result = _import(str(source), "--out", str(content), "--province", "Quảng Ninh", "--fetch-images")
    assert result.returncode == 0, result.stderr
    assert f"ảnh chưa tải: {old_server}{path} ({reason}" in result.stdout
    assert not (content / "images").exists() or not any((content / "images").rglob("*.*"))
    text = next(content.rglob("*.md")).read_text(encoding="utf-8")
    assert "{static}" not in text  # no link to a picture that is not there


def test_size_limit_and_schemes(tmp_path, old_server, monkeypatch):
    monkeypatch.setattr(fetching, "MAX_BYTES", 1000)
    assert "quá giới hạn" in fetching.fetch(f"{old_server}/2024/tang-vat.jpg", tmp_path / "a.jpg")
    assert not (tmp_path / "a.jpg").exists()
    assert fetching.fetch("file:///etc/passwd", tmp_path / "b.jpg") == "chỉ tải được ảnh qua http hoặc https"
