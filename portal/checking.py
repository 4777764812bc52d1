"""``python -m portal check [DIR] [--fix]``: the build's article checks, without building.

Every file goes through :func:`portal.validation.load` and :func:`portal.rendering.render`, and
the whole folder through :func:`portal.validation.check_collection`, so the messages are those
the build stops with; warnings (what the HTML allowlist removes) are those the build logs.
``--fix`` brings text to Unicode NFC, the one problem a machine can mend safely.
"""

from __future__ import annotations

import sys
from pathlib import Path

from portal import dates, photos, rendering, validation, vietnamese


def run(args) -> int:
    """Print one ``path:line: message`` per problem and a summary; exit 1 on problems."""
    root = Path(args.path)
    if not root.exists():
        print(f"không tìm thấy thư mục bài viết: {root}", file=sys.stderr)
        return 2
    files = validation.content_files(root)
    if args.fix:
        for path in files:
            if normalize_file(path):
                print(f"đã chuẩn hóa NFC: {path}")
    content_root = root if root.is_dir() else None
    articles = [validation.load(path, str(path), page=validation.is_page(path, content_root)) for path in files]
    warnings, rendering_warnings = [], []
    for path, article in zip(files, articles, strict=True):
        if article.ok:
            errors, notes = photos.check(article, content_root or photo_root(path), path)
            article.problems.extend(errors)
            warnings += notes
        if article.ok:
            rendered = rendering.render(article)
            article.problems += rendered.errors  # as in the build: the article is not read
            rendering_warnings += rendered.warnings
    problems = validation.symlink_loops(root) + [p for article in articles for p in article.problems]
    for warning in sorted(warnings, key=lambda p: (p.path, p.line)):
        print(f"{warning} (cảnh báo)")
    # the build compares only the articles it could read
    problems += validation.check_collection([a for a in articles if a.ok and not a.is_page])
    warnings += rendering_warnings
    for problem in sorted(problems + rendering_warnings, key=lambda p: (p.path, p.line)):
        print(problem)
    waiting = unpublished(articles)
    for line in waiting:
        print(line)
    later = f" {len(waiting)} bài chưa xuất bản (nháp, hẹn giờ)." if waiting else ""
    later = (f" {len(warnings)} cảnh báo." if warnings else "") + later
    if problems:
        count = len({p.path for p in problems})
        print(f"Đã kiểm tra {len(files)} bài: {len(problems)} lỗi trong {count} tệp.{later}")
        return 1
    print(f"Đã kiểm tra {len(files)} bài: không có lỗi.{later}")
    return 0


def photo_root(path: Path) -> Path:
    """The content folder of an article checked alone: the nearest folder above it with images/."""
    for folder in Path(path).absolute().parents:
        if (folder / "images").is_dir():
            return folder
    return Path(path).absolute().parent


def unpublished(articles: list[validation.ArticleFile]) -> list[str]:
    """One line per draft and per scheduled article: not errors, but not on the site yet."""
    lines = []
    for article in articles:
        if article.status == "draft":
            lines.append(f"{article.path}: bản nháp, chưa xuất bản (bỏ dòng Status/Trạng thái để đăng)")
        elif article.scheduled:
            when = dates.format_date(article.date, with_time=True)
            lines.append(f"{article.path}: hẹn giờ đăng {when}, bản xây dựng đầu tiên sau giờ đó sẽ xuất bản")
    return lines


def normalize_file(path: Path) -> bool:
    """Rewrite a UTF-8 file whose text is not NFC, changing nothing else; True when rewritten.

    A file that is not UTF-8 is left alone (``python -m portal import`` converts it).
    """
    data = path.read_bytes()
    text, _ = validation.decode(data, str(path))
    fixed = vietnamese.nfc(text) if text is not None else None
    if fixed is None or fixed == text:
        return False
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    path.write_bytes(bom + fixed.encode("utf-8"))
    return True
