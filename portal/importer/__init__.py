"""``python -m portal import``: pages of old portals (.txt, .html) → Markdown articles.

One page goes through :mod:`~portal.importer.decoding` (bytes → NFC text),
:mod:`~portal.importer.webpage` or :func:`~portal.importer.extraction.text_blocks` (→ blocks),
:mod:`~portal.importer.extraction` (→ a draft article) and :mod:`~portal.importer.writing`
(→ ``<out>/<yyyy>/<slug>.md`` and its pictures). :func:`run` walks the inputs, never overwrites
an article without ``--force``, shows a progress bar for many files and sums up at the end.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from portal import gazetteer
from portal.importer import decoding, fetching, webpage, writing
from portal.importer.decoding import DecodeError
from portal.importer.extraction import Draft, ExtractError, Hints, extract, text_blocks

SUFFIXES = (".txt", ".html", ".htm")
IMPORTED, NEEDS_PROVINCE, SKIPPED, FAILED = "imported", "province", "skipped", "failed"
_PROGRESS_FROM = 6  # files; fewer need no progress bar
EXISTS = "đã có"


@dataclass
class Result:
    source: Path
    status: str
    target: Path | None = None
    reason: str = ""
    not_fetched: list[str] = field(default_factory=list)  # pictures left on the old server, and why
    fetched: int = 0

    def __str__(self) -> str:
        return self._line() + "".join(f"\n  ảnh chưa tải: {item}" for item in self.not_fetched)

    def _line(self) -> str:
        if self.status == IMPORTED:
            return f"đã nhập: {self.source} → {self.target}"
        if self.status == NEEDS_PROVINCE:
            return (
                f"cần tỉnh: {self.source} → {self.target} (văn bản không nêu tỉnh; điền dòng "
                '"Province:" hoặc nhập lại với --province "Tên tỉnh")'
            )
        if self.status == SKIPPED and self.reason == EXISTS:
            return f"bỏ qua ({EXISTS}): {self.target} — dùng --force để ghi đè"
        if self.status == SKIPPED:
            return f"bỏ qua: {self.source}: {self.reason}"
        return f"lỗi: {self.source}: {self.reason}"


def read(path: Path, today: dt.date | None = None) -> Draft:
    """The article in the page ``path``; raise DecodeError/ExtractError/OSError when there is none."""
    data = path.read_bytes()
    if not data.strip():
        raise ExtractError("tệp rỗng")
    markup = path.suffix.lower() in (".html", ".htm")
    text, _encoding = decoding.decode(data, markup)
    blocks, hints = webpage.read_page(text) if markup else (text_blocks(text), Hints())
    return extract(blocks, hints, today)


def import_page(
    path: Path,
    out_dir: Path,
    province: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    claimed: dict[Path, Path] | None = None,
    fetch: bool = False,
) -> Result:
    """Import one page; ``claimed`` (target → source) keeps one run from writing a file twice."""
    try:
        draft = read(path)
    except OSError as error:
        return Result(path, FAILED, reason=f"không đọc được tệp ({error.strerror or error})")
    except (DecodeError, ExtractError) as error:
        return Result(path, FAILED, reason=str(error))
    if not draft.province and province:
        draft.province = province
    output = writing.plan(draft, path, out_dir, fetch=fetch and not dry_run)
    claimed = {} if claimed is None else claimed
    if output.path in claimed:
        same = claimed[output.path]
        return Result(path, SKIPPED, output.path, f"cùng địa chỉ {output.path} với bài vừa nhập từ {same}")
    claimed[output.path] = path
    if output.path.exists() and not force:
        return Result(path, SKIPPED, output.path, EXISTS)
    result = Result(path, IMPORTED if draft.province else NEEDS_PROVINCE, output.path)
    for url, destination, line in output.remote:
        reason = fetching.fetch(url, destination) if fetch and not dry_run else "dùng --fetch-images để tải"
        if reason:
            output.text = output.text.replace(line + "\n\n", "").replace(line + "\n", "")
            result.not_fetched.append(f"{url} ({reason})")
        else:
            result.fetched += 1
    if not dry_run:
        output.path.parent.mkdir(parents=True, exist_ok=True)
        with open(output.path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(output.text)
        for source, destination in output.copies:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
    return result


def inputs(paths: list[str]) -> tuple[list[Path], list[Result]]:
    """The pages named by ``paths`` (folders searched), and results for those that cannot be."""
    files: list[Path] = []
    problems: list[Result] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if _importable(p, path)))
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES:
                files.append(path)
            else:
                problems.append(Result(path, FAILED, reason="chỉ nhập được tệp .txt, .html hoặc .htm"))
        else:
            problems.append(Result(path, FAILED, reason="không tìm thấy tệp hoặc thư mục này"))
    return list(dict.fromkeys(files)), problems


def _importable(path: Path, root: Path) -> bool:
    """A page to import in a folder: not a file a browser saved beside a page ("Trang_files/")."""
    saved_beside = any(part.endswith("_files") for part in path.relative_to(root).parts[:-1])
    return path.suffix.lower() in SUFFIXES and path.is_file() and not saved_beside


def run(args) -> int:
    """``python -m portal import``; exit status 1 when a page could not be imported."""
    province = None
    if args.province:
        places = gazetteer.load()
        found = places.resolve(args.province)
        if found is None:
            print(places.unknown(args.province), file=sys.stderr)
            return 1
        province = found.name
    files, results = inputs(args.paths)
    for result in results:
        print(result, file=sys.stderr)
    claimed: dict[Path, Path] = {}
    out_dir = Path(args.out)

    def one(path: Path) -> None:
        result = import_page(path, out_dir, province, args.force, args.dry_run, claimed,
                             fetch=getattr(args, "fetch_images", False))
        results.append(result)
        print(result, file=sys.stderr if result.status == FAILED else sys.stdout)

    if len(files) >= _PROGRESS_FROM and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        # The bar on stderr; lines printed meanwhile go above it (stdout too when on the same terminal).
        bar = Progress(console=Console(stderr=True), transient=True, redirect_stdout=sys.stdout.isatty())
        with bar as progress:
            task = progress.add_task("Đang nhập", total=len(files))
            for path in files:
                one(path)
                progress.advance(task)
    else:
        for path in files:
            one(path)
    failed = [r for r in results if r.status == FAILED]
    if failed and len(files) >= _PROGRESS_FROM:  # the reasons, again, where they cannot scroll away
        print("Các tệp không nhập được:", *failed, sep="\n", file=sys.stderr)
    print(summary(results, args.dry_run))
    return 1 if failed else 0


def summary(results: list[Result], dry_run: bool = False) -> str:
    counts = Counter(r.status for r in results)
    line = (
        f"{counts[IMPORTED]} đã nhập, {counts[NEEDS_PROVINCE]} cần tỉnh, {counts[SKIPPED]} bỏ qua, "
        f"{counts[FAILED]} lỗi."
    )
    fetched = sum(r.fetched for r in results)
    left = sum(len(r.not_fetched) for r in results)
    if fetched:
        line += f" Đã tải {fetched} ảnh từ máy chủ cũ."
    if left:
        line += f" {left} ảnh còn trên máy chủ cũ, chưa tải (xem các dòng \"ảnh chưa tải\" ở trên)."
    return ("Chạy thử, không ghi tệp nào: " if dry_run else "Tổng kết: ") + line
