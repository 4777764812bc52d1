"""``python -m portal serve``: the site and its search on waitress."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from portal.web.app import make_app


def serve(args) -> int:
    """Serve ``args.site`` on ``args.host``:``args.port`` with ``args.threads`` threads."""
    import waitress

    site = Path(args.site)
    if not (site / "index.html").is_file():
        print(f"serve: không thấy trang đã xây dựng trong {site}/; hãy chạy make html", file=sys.stderr)
        return 1
    if args.threads < 1 or not 0 <= args.port <= 65535:
        print("serve: --threads phải ≥ 1 và --port trong khoảng 0–65535", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    app = make_app(site)
    try:
        app.theme.environment.get_template("search.html")  # read the settings and the theme now, not on a request
    except Exception as error:  # a broken pelicanconf.py or theme: say so, briefly
        print(f"serve: không đọc được cấu hình hoặc giao diện ({app.theme.settings_file}): "
              f"{error.__class__.__name__}: {error}", file=sys.stderr)
        return 1
    try:
        server = waitress.create_server(app, host=args.host, port=args.port, threads=args.threads, ident="portal")
    except OSError as error:
        print(f"serve: không mở được cổng {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"Phục vụ {site}/ tại http://{args.host}:{server.effective_port}/ (Ctrl-C để dừng)",
          file=sys.stderr, flush=True)
    try:
        server.run()
    finally:
        server.close()
    return 0
