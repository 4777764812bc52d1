"""``python -m portal preview``: the editors' live preview.

Builds the site with the preview settings (drafts and scheduled articles included, each with
a banner), serves it and its search on the same service as ``make serve``, rebuilds after
every saved change and reloads the open page by itself. A build that fails shows its
messages on the page; the last good site stays. See :mod:`portal.preview.session` (watching
and building), :mod:`portal.preview.builder` (the build worker) and
:mod:`portal.preview.app` (what the pages get).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def run(args) -> int:
    import waitress

    from portal.preview.app import PreviewApp
    from portal.preview.session import Session
    from portal.web import make_app

    if not 0 <= args.port <= 65535:
        print("preview: --port phải trong khoảng 0–65535", file=sys.stderr)
        return 2
    content = Path(args.content)
    if not content.is_dir():
        print(f"preview: không thấy thư mục bài viết {content}/", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    session = Session(content, args.output)
    try:
        server = waitress.create_server(PreviewApp(make_app(args.output), session.state), host=args.host,
                                        port=args.port, threads=args.threads, ident="portal-preview")
    except OSError as error:
        print(f"preview: không mở được cổng {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"Đang xây dựng trang từ {content}/ …", file=sys.stderr, flush=True)
    session.start()
    print(f"Xem trước tại http://{args.host}:{server.effective_port}/ — trang tự tải lại khi bạn lưu bài "
          f"(bản nháp: http://{args.host}:{server.effective_port}/__preview/). Ctrl-C để dừng.",
          file=sys.stderr, flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        print("Đã dừng.", file=sys.stderr)
    finally:
        server.close()
        session.stop()
    return 0
