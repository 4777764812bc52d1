"""Article files: read them, understand their header, and say precisely what is wrong.

The same checks serve ``python -m portal check`` and the build (the ``portal_reader`` plugin),
so an editor sees the same ``path:line: message`` from both. Messages are in Vietnamese and
always say what to do.

An article file is a Pelican Markdown file: ``Key: value`` header lines (English or Vietnamese
keys), a blank line, then the body.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from portal import dates, gazetteer, limits, urls, vietnamese

# canonical key -> spellings accepted in headers (compared after vietnamese.match_key)
HEADER_KEYS = {
    "title": ("Title", "Tiêu đề"),
    "date": ("Date", "Ngày", "Ngày đăng"),
    "province": ("Province", "Provinces", "Tỉnh", "Tỉnh thành"),
    "tags": ("Tags", "Tag", "Chủ đề"),
    "author": ("Author", "Authors", "Tác giả"),
    "summary": ("Summary", "Tóm tắt"),
    "source": ("Source", "Nguồn"),
    "slug": ("Slug",),
    "status": ("Status", "Trạng thái"),
    "modified": ("Modified", "Cập nhật"),
    "image": ("Image", "Ảnh"),
    "featured": ("Featured", "Nổi bật"),
}
_KEY_NAMES = {vietnamese.match_key(s): key for key, spellings in HEADER_KEYS.items() for s in spellings}
_LIST_KEYS = {"province", "tags", "author"}
_HEADER_LINE = re.compile(r"^([^\s:][^:]{0,30}):\s*(.*)$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# status -> spellings accepted in headers (compared after vietnamese.match_key)
STATUSES = {
    "published": ("published", "công khai", "đăng"),
    "draft": ("draft", "nháp", "bản nháp"),
    "hidden": ("hidden", "ẩn"),
}
_STATUS_NAMES = {vietnamese.match_key(s): status for status, spellings in STATUSES.items() for s in spellings}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, at one line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class ArticleFile:
    """An article file as read: normalised metadata, the Markdown body and its problems."""

    path: str
    text: str = ""
    title: str = ""
    date: dt.datetime | None = None
    provinces: list[gazetteer.Province] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    summary: str = ""
    source: str = ""
    slug: str = ""
    status: str = "published"
    modified: dt.datetime | None = None
    image: str = ""  # the lead photo when the header names one (see portal.photos)
    featured: bool = False
    body: str = ""
    body_line: int = 1
    lines: dict[str, int] = field(default_factory=dict)  # header key -> line number
    problems: list[Problem] = field(default_factory=list)
    fingerprint: str = ""  # set when the body is dropped (see body_fingerprint)
    is_page: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def url(self) -> str:
        """The article's URL, as ``pelicanconf.ARTICLE_URL`` will make it."""
        return urls.ARTICLE_URL.format(date=self.date, slug=self.slug)

    @property
    def scheduled(self) -> bool:
        """Dated later than now: the first build after its date and time publishes it."""
        return self.status == "published" and self.date is not None and dates.is_future(self.date)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


def header_text(title: str, date, province: str, tags: list[str] = (), authors: list[str] = (),
                **more: str | None) -> str:
    """An article header as this project writes it (``portal new``, ``import``, the bench):
    ``Key: value`` lines, tags and authors when there are some, then ``more`` in order
    (``summary=…``, ``source=…``) unless None; spaces cleaned; then the blank line."""
    lines = [f"Title: {title}", f"Date: {date:%Y-%m-%d %H:%M}", f"Province: {province}"]
    if tags:
        lines.append("Tags: " + ", ".join(tags))
    if authors:
        lines.append("Author: " + ", ".join(authors))
    lines += [f"{key.capitalize()}: {value}" for key, value in more.items() if value is not None]
    return "\n".join(vietnamese.clean_spaces(line) for line in lines) + "\n\n"


def decode(data: bytes, path: str) -> tuple[str | None, Problem | None]:
    """UTF-8 text of a file (BOM dropped), or a problem naming the first bad line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, Problem(
            path,
            line,
            "tệp không phải UTF-8 (có thể là Windows-1258 hoặc UTF-16); hãy chuyển nó bằng "
            f"`python -m portal import {path}` thay vì sửa tay",
        )


def is_page(path: str | Path, content_root: str | Path | None = None) -> bool:
    """Static pages live in ``pages/`` of the content folder (``PAGE_PATHS``); without the
    content folder (one file checked alone), in any folder named ``pages``."""
    path = Path(path).absolute()
    if content_root is None:
        return "pages" in path.parent.parts
    return path.is_relative_to(Path(content_root).absolute() / "pages")


def load(path: str | Path, display_path: str | None = None, page: bool = False) -> ArticleFile:
    """Read and check one article file (``page``: a static page, which needs a title only)."""
    shown = display_path or str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        article = ArticleFile(shown)
        article.problem(1, f"không đọc được tệp ({error.strerror})")
        return article
    text, problem = decode(data, shown)
    if problem:
        article = ArticleFile(shown)
        article.problems.append(problem)
        return article
    return parse(text, shown, page)


def parse(text: str, path: str, page: bool = False) -> ArticleFile:
    """Parse and check the text of one article file."""
    article = ArticleFile(path, text=text, is_page=page)
    if not text.strip():
        article.problem(1, "tệp rỗng; hãy viết bài (xem `python -m portal new`) hoặc xóa tệp")
        return article

    _check_nfc(article)
    text = vietnamese.nfc(text).replace("\r\n", "\n").replace("\r", "\n")
    raw, body_index = _split_header(article, text.split("\n"))
    _read_header(article, raw)
    body_lines = text.split("\n")[body_index:]
    article.body = "\n".join(body_lines)
    article.body_line = body_index + 1
    for line, message in limits.text_problems(text, article.body, article.body_line):
        article.problem(line, message)
    return article


def _check_nfc(article: ArticleFile) -> None:
    if unicodedata.is_normalized("NFC", article.text):
        return
    for number, line in enumerate(article.text.splitlines(), 1):
        if not unicodedata.is_normalized("NFC", line):
            article.problem(
                number,
                "chữ tiếng Việt chưa ở dạng chuẩn NFC (dấu tách rời chữ); chạy "
                f"`python -m portal check --fix {article.path}` để chuẩn hóa",
            )
            return


def _split_header(article: ArticleFile, lines: list[str]) -> tuple[list[tuple[int, str, str]], int]:
    """Header entries ``(line, key, value)`` and the index of the first body line."""
    entries: list[tuple[int, str, str]] = []
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            return entries, index + 1
        if line[:1] in " \t" and entries:  # continuation of the previous value
            number, key, value = entries[-1]
            entries[-1] = (number, key, f"{value} {line.strip()}")
            index += 1
            continue
        match = _HEADER_LINE.match(line)
        if not match:
            return entries, index
        entries.append((index + 1, match.group(1).strip(), match.group(2).strip()))
        index += 1
    return entries, index


def _read_header(article: ArticleFile, entries: list[tuple[int, str, str]]) -> None:
    values: dict[str, list[str]] = defaultdict(list)
    for number, name, value in entries:
        key = _KEY_NAMES.get(vietnamese.match_key(name))
        if key is None:
            known = ", ".join(spellings[0] for spellings in HEADER_KEYS.values())
            article.problem(number, f'không biết trường "{name}"; các trường dùng được: {known}')
            continue
        if key in values and key not in _LIST_KEYS:
            article.problem(number, f'trường "{name}" lặp lại; chỉ giữ một dòng')
            continue
        article.lines.setdefault(key, number)
        values[key].append(value)

    article.title = vietnamese.clean_spaces(" ".join(values.get("title", [])))
    if not article.title:
        where = article.line_of("title")
        article.problem(where, 'thiếu tiêu đề; thêm dòng "Title: <tiêu đề bài>" ở đầu tệp')

    _read_date(article, values)
    _read_provinces(article, values)
    article.tags = split_list(values.get("tags", []))
    article.authors = split_list(values.get("author", []))
    article.summary = vietnamese.clean_spaces(" ".join(values.get("summary", [])))
    article.source = vietnamese.clean_spaces(" ".join(values.get("source", [])))
    _read_slug(article, values)
    article.image = " ".join(values.get("image", [])).strip()
    featured = vietnamese.match_key(" ".join(values.get("featured", [])))
    article.featured = featured in {"yes", "co", "true", "1"}
    if featured and not article.featured and featured not in {"no", "khong", "false", "0"}:
        article.problem(article.line_of("featured"), 'trường "Nổi bật" chỉ nhận "có" hoặc "không"')
    written = " ".join(values.get("status", [])).strip()
    status = _STATUS_NAMES.get(vietnamese.match_key(written)) if written else "published"
    if status is None:
        article.problem(
            article.line_of("status"),
            f'trạng thái "{written}" không hợp lệ; dùng "nháp" (draft), "ẩn" (hidden) '
            'hoặc bỏ dòng này để đăng bài',
        )
    article.status = status or "published"


def _read_date(article: ArticleFile, values: dict[str, list[str]]) -> None:
    text = " ".join(values.get("date", [])).strip()
    if not text and article.is_page:
        return
    if not text:
        article.problem(article.line_of("date"), 'thiếu ngày đăng; thêm dòng "Date: 2022-11-24" (năm-tháng-ngày)')
        return
    try:
        article.date = dates.parse_header_date(text)
    except dates.DateError as error:
        article.problem(article.line_of("date"), str(error))
    modified = " ".join(values.get("modified", [])).strip()
    if modified:
        try:
            article.modified = dates.parse_header_date(modified)
        except dates.DateError as error:
            article.problem(article.line_of("modified"), str(error))


def _read_provinces(article: ArticleFile, values: dict[str, list[str]]) -> None:
    names = split_list(values.get("province", []), separators=",;")
    line = article.line_of("province")
    if not names and article.is_page:
        return
    if not names:
        article.problem(
            line,
            'thiếu tỉnh; ghi tỉnh nơi bài được viết, ví dụ "Province: An Giang" '
            '(tin toàn quốc: "Province: Toàn quốc")',
        )
        return
    places = gazetteer.load()
    on = article.date.date() if article.date else None
    for name in names:
        province = places.resolve(name, on)
        if province is None:
            article.problem(line, f"{places.unknown(name)} Sửa lại tên tỉnh ở dòng này")
        elif province not in article.provinces:
            article.provinces.append(province)


def _read_slug(article: ArticleFile, values: dict[str, list[str]]) -> None:
    given = " ".join(values.get("slug", [])).strip()
    if given and not _SLUG.match(given):
        article.problem(
            article.line_of("slug"),
            f'Slug "{given}" không hợp lệ; chỉ dùng chữ thường không dấu, số và dấu "-", '
            f'ví dụ "{vietnamese.slugify(given) or "hoi-nghi-tong-ket"}"',
        )
    article.slug = given or vietnamese.slugify(article.title)
    if article.title and not article.slug:
        article.problem(article.line_of("title"), 'tiêu đề không tạo được địa chỉ; thêm dòng "Slug: ten-bai-viet"')


def split_list(values: list[str], separators: str = ",") -> list[str]:
    """The items of separated values, spaces cleaned, each once, in order."""
    items: list[str] = []
    for value in values:
        for part in re.split(f"[{re.escape(separators)}]", value):
            part = vietnamese.clean_spaces(part)
            if part and part not in items:
                items.append(part)
    return items


# -- across files ---------------------------------------------------------------------------

def body_fingerprint(article: ArticleFile) -> str:
    """Same for two files holding the same article text, whatever their spacing or case."""
    if article.fingerprint:
        return article.fingerprint
    return text_fingerprint(article.body)


def text_fingerprint(text: str) -> str:
    """Fingerprint of a text for finding duplicates ("" for an empty text): the same words in
    the same order, whatever the spacing, letter case, Unicode form or tone placement."""
    words = vietnamese.normalize(text).split()
    return hashlib.sha1(" ".join(words).encode()).hexdigest() if words else ""


def check_collection(articles: list[ArticleFile]) -> list[Problem]:
    """Problems between files: two articles with one URL, the same article twice."""
    problems: list[Problem] = []
    by_url: dict[str, ArticleFile] = {}
    by_text: dict[str, ArticleFile] = {}
    for article in sorted(articles, key=lambda a: a.path):
        if article.date is None or not article.slug or article.status == "draft":
            continue
        first = by_url.setdefault(article.url, article)
        if first is not article:
            problems.append(
                Problem(
                    article.path,
                    article.line_of("title"),
                    f'trùng địa chỉ /{article.url} với {first.path}; thêm dòng "Slug: ..." '
                    "khác nhau vào một trong hai bài",
                )
            )
        fingerprint = body_fingerprint(article)
        if fingerprint:
            same = by_text.setdefault(fingerprint, article)
            if same is not article:
                problems.append(
                    Problem(
                        article.path,
                        article.body_line,
                        f"bài này trùng nội dung với {same.path}; xóa một trong hai tệp",
                    )
                )
    return problems


def content_files(root: str | Path) -> list[Path]:
    """The article files under ``root`` (Markdown, through symbolic links as the build reads
    them, loops aside: see :func:`symlink_loops`), in a stable order."""
    root = Path(root)
    return [root] if root.is_file() else limits.walk(root, {".md", ".markdown"})[0]


def symlink_loops(root: str | Path) -> list[Problem]:
    """One problem per symbolic link under ``root`` to a folder that contains it."""
    root = Path(root)
    loops = [] if root.is_file() else limits.walk(root, set())[1]
    return [Problem(str(link), 1, limits.loop_message(link, target)) for link, target in loops]
