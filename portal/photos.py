"""Article photos: find them in the Markdown, check them, and make what readers need.

An editor writes ``![caption]({static}/images/2023/name.jpg)`` (or a path relative to the
article file). Each photo is turned upright (EXIF orientation), stripped of its metadata (GPS
and camera serials never leave the newsroom), and resized to a few widths (never upscaled) as
WebP plus a JPEG fallback (PNG when it has transparency), and a 1200-wide JPEG for sharing.

Work is cached by content: the cache folder holds each variant under the SHA-256 of its
source, and an index of (path, size, mtime) → hash, so a rebuild after a text edit neither
re-reads nor re-encodes any photo. :class:`Store` does the work in threads (Pillow releases
the GIL while it resizes and encodes) while Pelican goes on with the rest of the build.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import io
import json
import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image, ImageOps

from portal.validation import ArticleFile, Problem

WIDTHS = (480, 960, 1600)
SHARE_WIDTH = 1200
MAX_BYTES = 30 * 1024 * 1024
MAX_PIXELS = 100_000_000  # a 10000×10000 scan; more is a mistake or a decompression bomb
SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp"}
OUTPUT_FOLDER = "anh"
SIZES = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# ![alt](src "title") — what Python-Markdown renders as <img>
_MARKDOWN_IMAGE = re.compile(r'!\[((?:[^\]\\]|\\.)*)\]\(\s*<?([^)\s>]+)>?(?:\s+["\']([^"\']*)["\'])?\s*\)')


@dataclass(frozen=True)
class Reference:
    """One photo as written in an article: where, the source as typed, its caption."""

    line: int
    src: str
    alt: str = ""
    title: str = ""


@dataclass(frozen=True)
class Photo:
    """A readable photo: its content hash, upright size and whether it has transparency."""

    path: str
    digest: str
    width: int
    height: int
    alpha: bool

    @property
    def fallback(self) -> str:
        return "png" if self.alpha else "jpg"

    def widths(self) -> list[int]:
        """The widths made for readers: the standard ones narrower than the photo, then the
        photo's own width when it is narrower than the largest (never upscaled)."""
        if self.width >= WIDTHS[-1]:
            return list(WIDTHS)
        return [w for w in WIDTHS if w < self.width] + [self.width]

    def height_at(self, width: int) -> int:
        return max(1, round(self.height * width / self.width))

    def name(self, width: int, ext: str) -> str:
        """Output path of one variant, relative to the site root."""
        return f"{OUTPUT_FOLDER}/{self.digest[:2]}/{self.digest[2:18]}-{width}.{ext}"

    @property
    def share_width(self) -> int:
        return min(self.width, SHARE_WIDTH)

    def share_name(self) -> str:
        return self.name(self.share_width, "share.jpg")

    def files(self) -> list[tuple[str, int, str]]:
        """Every variant: (output name, width, format)."""
        out = []
        for width in self.widths():
            out.append((self.name(width, "webp"), width, "WEBP"))
            out.append((self.name(width, self.fallback), width, self.fallback.upper().replace("JPG", "JPEG")))
        out.append((self.share_name(), self.share_width, "SHARE"))
        return out


class PhotoError(Exception):
    """A photo that cannot be used; the message is for the editor (Vietnamese)."""


class PhotoChanged(PhotoError):
    """The file is no longer the one inspected (replaced during the build): its sizes would be
    stored under the other file's hash, and shown whenever that photo came back."""


# -- finding and checking ------------------------------------------------------------------------

def references(body: str, first_line: int = 1) -> list[Reference]:
    """Markdown images of an article body, with their line numbers."""
    found = []
    for offset, line in enumerate(body.split("\n")):
        for match in _MARKDOWN_IMAGE.finditer(line):
            alt = re.sub(r"\\(.)", r"\1", match.group(1)).strip()
            found.append(Reference(first_line + offset, match.group(2), alt, (match.group(3) or "").strip()))
    return found


def is_remote(src: str) -> bool:
    parts = urlsplit(src)
    return bool(parts.scheme or parts.netloc) and not src.startswith(("{static}", "{filename}"))


def resolve(src: str, article_path: str | Path, content_root: str | Path | None) -> Path | None:
    """The file a photo source names (None for a remote URL): ``{static}/…`` and ``/…`` from the
    content folder, anything else from the article's folder."""
    if is_remote(src):
        return None
    path = unquote(urlsplit(src).path if "{" not in src else src.split("?")[0])
    for prefix in ("{static}", "{filename}", "{attach}"):
        if path.startswith(prefix):
            path = "/" + path[len(prefix):].lstrip("/")
    if path.startswith("/"):
        root = Path(content_root) if content_root else Path(article_path).parent
        return root / path.lstrip("/")
    return Path(article_path).parent / path


def inspect(path: Path) -> Photo:
    """Hash and upright size of a photo file, or :class:`PhotoError`."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise PhotoError(f"không tìm thấy tệp ảnh {path} ({error.strerror})") from None
    if size > MAX_BYTES:
        raise PhotoError(f"ảnh {path.name} nặng {size / 1048576:.1f} MB, quá giới hạn {MAX_BYTES // 1048576} MB; "
                         "thu nhỏ ảnh (ví dụ còn 4000 điểm ảnh chiều ngang) rồi đưa lại")
    data = path.read_bytes()
    try:
        with Image.open(io.BytesIO(data)) as image:  # the bytes hashed, whatever the file is now
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1)
            alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    except Image.DecompressionBombError:
        raise PhotoError(f"ảnh {path.name} quá nhiều điểm ảnh (trên {MAX_PIXELS // 1_000_000} triệu); "
                         "thu nhỏ ảnh rồi đưa lại") from None
    except (OSError, ValueError, SyntaxError):
        raise PhotoError(f"tệp {path.name} không phải ảnh đọc được (JPEG, PNG, WebP); "
                         "mở ảnh bằng phần mềm xem ảnh, lưu lại dạng JPEG rồi đưa lại") from None
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return Photo(str(path), hashlib.sha256(data).hexdigest(), width, height, alpha)


def check(article: ArticleFile, content_root: str | Path | None,
          source_path: str | Path | None = None) -> tuple[list[Problem], list[Problem]]:
    """Errors (missing, unreadable, too large) and warnings (no caption) of an article's photos."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    source = source_path or article.path
    refs = references(article.body, article.body_line)
    if article.image:
        refs.insert(0, Reference(article.line_of("image"), article.image, alt="(Ảnh:)"))
    for ref in refs:
        path = resolve(ref.src, source, content_root)
        if path is None or path.suffix.lower() not in SUFFIXES:  # remote, or a drawing (.svg) used as is
            continue
        if not path.is_file():
            errors.append(Problem(article.path, ref.line, f'không tìm thấy ảnh "{ref.src}" ({path}); kiểm tra tên '
                                  "tệp, hoặc chép ảnh vào content/images/<năm>/"))
            continue
        try:
            Store.shared().photo(path)
        except PhotoError as error:
            errors.append(Problem(article.path, ref.line, str(error)))
            continue
        if not (ref.alt or ref.title):
            warnings.append(Problem(article.path, ref.line, f'ảnh "{ref.src}" chưa có chú thích; viết chú thích '
                                    "trong ngoặc vuông: ![Các đại biểu dự hội nghị](…) (người đọc dùng trình "
                                    "đọc màn hình cần nó)"))
    return errors, warnings


# -- making the variants -------------------------------------------------------------------------

def _upright(photo: Photo) -> Image.Image:
    """The photo decoded no larger than needed (JPEG: at 1/2, 1/4… scale), upright, without metadata."""
    largest = max(photo.widths()[-1], photo.share_width)
    data = Path(photo.path).read_bytes()
    if hashlib.sha256(data).hexdigest() != photo.digest:
        raise PhotoChanged(f"ảnh {Path(photo.path).name} vừa được thay trong khi xây dựng trang; "
                           "chạy lại để dùng ảnh mới")
    with Image.open(io.BytesIO(data)) as original:
        if original.format == "JPEG":
            wanted = (largest, photo.height_at(largest))
            turned = original.size == (photo.height, photo.width) and photo.width != photo.height
            original.draft("RGB", wanted[::-1] if turned else wanted)
        original.load()
        image = ImageOps.exif_transpose(original)
    icc = image.info.get("icc_profile")
    image = image.convert("RGBA" if photo.alpha else "RGB")
    image.info = {"icc_profile": icc} if icc else {}  # EXIF (GPS, camera serials), XMP, comments: gone
    return image


def make(photo: Photo, folder: Path) -> None:
    """Write every variant of ``photo`` into ``folder`` (the cache), upright and without metadata.
    Each size is reduced from the next larger one, which is faster than from the original."""
    image = _upright(photo)
    options = {"icc_profile": image.info["icc_profile"]} if image.info.get("icc_profile") else {}
    scaled: dict[int, Image.Image] = {}
    for width in sorted({w for _n, w, _k in photo.files()}, reverse=True):
        source = min((im for w, im in scaled.items() if w > width), key=lambda im: im.width, default=image)
        scaled[width] = source if width == source.width else source.resize(
            (width, photo.height_at(width)), Image.Resampling.LANCZOS, reducing_gap=2.0)
    for name, width, kind in photo.files():
        target = folder / name
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        resized = scaled[width]
        temporary = target.with_name(target.name + f".{threading.get_ident()}.tmp")
        if kind == "WEBP":
            resized.save(temporary, "WEBP", quality=80, method=2, **options)
        elif kind == "PNG":
            resized.save(temporary, "PNG", **options)
        else:
            if resized.mode == "RGBA":  # the share image of a transparent PNG: on white
                flat = Image.new("RGB", resized.size, "white")
                flat.paste(resized, mask=resized.getchannel("A"))
                resized = flat
            resized.save(temporary, "JPEG", quality=82, optimize=True, progressive=True, **options)
        os.replace(temporary, target)


def place(source: Path, target: Path) -> None:
    """Put a cached file in the output: a hard link, else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class Store:
    """The photo cache of one build: what each source file is, and its variants being made."""

    _shared: Store | None = None
    INDEX = "index.json"

    def __init__(self, folder: str | Path | None = None, workers: int | None = None):
        self.folder = Path(folder) if folder else None
        self.workers = workers or min(4, os.cpu_count() or 1)
        self._known: dict[str, list] = {}
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._jobs: dict[str, concurrent.futures.Future] = {}
        self.made = 0  # photos encoded by this build (not taken from the cache)
        if self.folder:
            try:
                self._known = json.loads((self.folder / self.INDEX).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._known = {}

    @classmethod
    def shared(cls) -> Store:
        """A store without a cache folder, for checks."""
        if cls._shared is None:
            cls._shared = Store()
        return cls._shared

    def photo(self, path: Path) -> Photo:
        """What ``path`` is, from the index when its size and time are unchanged."""
        key = str(Path(path).resolve())
        stat = path.stat()
        stamp = [stat.st_size, stat.st_mtime_ns]
        with self._lock:
            known = self._known.get(key)
        if known and known[0] == stamp:
            return Photo(str(path), *known[1])
        photo = inspect(path)
        with self._lock:
            self._known[key] = [stamp, [photo.digest, photo.width, photo.height, photo.alpha]]
        return photo

    def publish(self, photo: Photo, output: Path) -> concurrent.futures.Future:
        """Make the variants (once per content) and link them into ``output``, in the background."""
        with self._lock:
            job = self._jobs.get(photo.digest)
            if job is None:
                if self._pool is None:
                    self._pool = concurrent.futures.ThreadPoolExecutor(self.workers, thread_name_prefix="photos")
                job = self._jobs[photo.digest] = self._pool.submit(self._publish, photo, Path(output))
        return job

    def _publish(self, photo: Photo, output: Path) -> None:
        folder = self.folder or output
        if not all((folder / name).exists() for name, _w, _k in photo.files()):
            make(photo, folder)
            with self._lock:
                self.made += 1
        if folder != output:
            for name, _w, _k in photo.files():
                place(folder / name, output / name)

    def finish(self) -> list[tuple[Photo, Exception]]:
        """Wait for every photo; save the index. Returns the photos that failed."""
        failed = []
        for digest, job in list(self._jobs.items()):
            error = job.exception()
            if error is not None:
                failed.append((digest, error))
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        self._jobs.clear()
        if self.folder:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f"{self.INDEX}.{os.getpid()}.tmp"
            temporary.write_text(json.dumps(self._known), encoding="utf-8")
            os.replace(temporary, self.folder / self.INDEX)
        return failed
