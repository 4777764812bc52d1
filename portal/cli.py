"""Command line: ``python -m portal import|check|new|search|serve|preview|bench``.

Thin: each command parses its arguments and calls the module that does the work. Errors an
editor can fix are printed as ``path:line: message`` with exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys


def _handler(module: str, function: str = "run"):
    """The command's function, imported only when the command runs (start-up stays quick)."""

    def handle(args) -> int:
        return getattr(importlib.import_module(module), function)(args)

    return handle


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m portal", description="Công cụ của cổng tin ANTQ.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("import", help="chuyển trang cũ (.txt, .html) thành bài Markdown")
    p.add_argument("paths", nargs="+", metavar="PATH", help="tệp hoặc thư mục cần nhập")
    p.add_argument("--out", default="content", help="thư mục bài viết (mặc định: content)")
    p.add_argument("--province", help="tỉnh của các bài khi văn bản không nêu tỉnh")
    p.add_argument("--dry-run", action="store_true", help="chỉ báo cáo, không ghi tệp")
    p.add_argument("--force", action="store_true", help="ghi đè bài đã có")
    p.add_argument("--fetch-images", action="store_true",
                   help="tải ảnh còn trên máy chủ cũ (http/https, tối đa 30 MB, chỉ tệp ảnh)")
    p.set_defaults(handler=_handler("portal.importer"))

    p = commands.add_parser("check", help="kiểm tra thư mục bài viết")
    p.add_argument("path", nargs="?", default="content", metavar="DIR")
    p.add_argument("--fix", action="store_true", help="chuẩn hóa chữ về NFC")
    p.set_defaults(handler=_handler("portal.checking"))

    p = commands.add_parser("new", help="tạo bài viết mới")
    p.add_argument("title", metavar="TIÊU_ĐỀ")
    p.add_argument("--province", required=True, help='tỉnh, ví dụ "An Giang"')
    p.add_argument("--date", help="ngày đăng, ví dụ 2025-08-30 (mặc định: hôm nay)")
    p.add_argument("--tags", help="chủ đề, cách nhau bởi dấu phẩy")
    p.add_argument("--author", help="tác giả")
    p.add_argument("--out", default="content", help="thư mục bài viết (mặc định: content)")
    p.set_defaults(handler=_handler("portal.authoring"))

    p = commands.add_parser("search", help="tìm trong chỉ mục của trang đã xây dựng")
    p.add_argument("query", nargs="+", metavar="QUERY")
    p.add_argument("--site", default="output", help="thư mục trang (mặc định: output)")
    p.add_argument("--province", help="slug tỉnh, ví dụ quang-tri")
    p.add_argument("--year", help="năm, ví dụ 2022")
    p.add_argument("--sort", choices=("relevance", "newest"), default="relevance")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.set_defaults(handler=_handler("portal.search.cli"))

    p = commands.add_parser("serve", help="chạy trang tĩnh và dịch vụ tìm kiếm")
    p.add_argument("--site", default="output", help="thư mục trang (mặc định: output)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=4, help="luồng cho tìm kiếm (mặc định: 4)")
    p.add_argument("--connections", type=int, default=2000,
                   help="số kết nối mở tối đa (mặc định: 2000)")
    p.add_argument("--idle-timeout", type=int, default=15, metavar="GIÂY",
                   help="đóng kết nối im lặng quá số giây này (mặc định: 15)")
    p.set_defaults(handler=_handler("portal.web.serve", "serve"))

    p = commands.add_parser("preview", help="xem trước: xây dựng, phục vụ, tự xây dựng lại khi lưu bài")
    p.add_argument("--content", default="content", metavar="DIR", help="thư mục bài viết (mặc định: content)")
    p.add_argument("--output", default="output", metavar="DIR", help="thư mục trang (mặc định: output)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=16, help="luồng phục vụ (mỗi trang đang mở giữ một luồng)")
    p.set_defaults(handler=_handler("portal.preview"))

    p = commands.add_parser("bench", help="đo tốc độ (xem BENCHMARKS.md)")
    p.add_argument("what", choices=("build", "search", "readers"))
    p.add_argument("--corpus", default=None, help="tệp .jsonl.gz (mặc định: ../shared/corpora/baomoi-2017.jsonl.gz)")
    p.add_argument("--articles", default=None, help="số bài, có thể nhiều giá trị: 1000,10000")
    p.add_argument("--repeat", type=int, default=3, help="số lần chạy mỗi phép đo (lấy trung vị)")
    p.add_argument("--workdir", default=None, help="thư mục làm việc (mặc định: tạm)")
    p.add_argument("--photos", action="store_true", help="build: đo thêm bản có một ảnh mỗi bài")
    p.add_argument("--edits", type=int, default=2, choices=(0, 1, 2),
                   help="build: số lần xây dựng lại sau khi sửa một bài (mặc định: 2)")
    p.add_argument("--no-preview", dest="preview", action="store_false", help="build: bỏ đo bản xem trước")
    p.add_argument("--profile", metavar="DIR", help="build: thêm một lần xây dựng đầy đủ đo bằng cProfile, ghi vào DIR")
    p.add_argument("--processes", default="1,2,4",
                   help="search: số tiến trình tìm kiếm sau nginx để đo truy vấn/giây (mặc định: 1,2,4; 0: bỏ)")
    p.add_argument("--clients", type=int, default=8, help="search: số client đồng thời khi đo tải (mặc định: 8)")
    p.add_argument("--load-queries", type=int, default=600,
                   help="search: số truy vấn khi đo tải (mặc định: 600)")
    p.set_defaults(handler=_handler("portal.bench"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except KeyboardInterrupt:
        print("Đã dừng.", file=sys.stderr)
        return 130
