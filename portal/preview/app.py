"""The preview's web application: the portal's service plus what only the preview has.

:class:`PreviewApp` wraps :class:`portal.web.PortalApp` (the site and its search, as
``make serve`` runs them) and

* adds to every HTML page a small script (``/__preview/reload.js``) that waits for the next
  build (``/__preview/wait``, a long poll) and reloads the page — only here: a built page
  has no script at all;
* when the last build failed, shows its messages at the top of every page, over the last
  good site (which stays browsable);
* answers ``/__preview/state`` (JSON) and ``/__preview/`` (the last build, drafts).

HTML pages are sent ``no-store``: a page from the browser's cache would carry an old build
number and reload for nothing.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

from markupsafe import Markup, escape

from portal.preview.builder import BuildResult
from portal.web import SECURITY_HEADERS, content_security_policy

PREFIX = "/__preview/"
ASSETS = Path(__file__).resolve().parent / "assets"
WAIT_SECONDS = 25.0
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_BODY_START = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)


class PreviewState:
    """What the pages need to know of the builds: a number that changes after each build,
    and the last build's result. Threads wait on it for the next build."""

    def __init__(self):
        self._condition = threading.Condition()
        self._stamp = f"{time.time():.0f}"  # another preview session never shares a number
        self._count = 0
        self.building = False
        self.behind = False  # the search index and feeds wait for the next full build
        self.result: BuildResult | None = None

    @property
    def generation(self) -> str:
        return f"{self._stamp}-{self._count}"

    def started(self) -> None:
        with self._condition:
            self.building = True

    def finished(self, result: BuildResult | None, notify: bool = True) -> None:
        """Record a build (None: it was interrupted, the last result stands); ``notify``: open
        pages reload (a new number)."""
        with self._condition:
            self.building = False
            if result is not None:
                self.result = result
            if notify:
                self._count += 1
            self._condition.notify_all()

    def wait(self, since: str, timeout: float) -> None:
        with self._condition:
            self._condition.wait_for(lambda: self.generation != since, timeout)

    def as_json(self) -> dict:
        result = self.result
        return {
            "generation": self.generation,
            "building": self.building,
            "behind": self.behind,
            "ok": None if result is None else result.ok,
            "messages": "" if result is None else result.messages,
            "seconds": None if result is None else round(result.seconds, 3),
            "quick": bool(result and result.quick),
            "peak_mb": None if result is None else result.peak_mb,
            "drafts": [] if result is None else [
                {"title": title, "url": "/" + url, "scheduled": scheduled}
                for title, url, scheduled in result.drafts
            ],
        }


class PreviewApp:
    """WSGI: the portal's application with the preview's script, error banner and endpoints."""

    def __init__(self, inner, state: PreviewState):
        self.inner = inner
        self.state = state

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "") or "/"
        if path.startswith(PREFIX) or path == PREFIX.rstrip("/"):
            return self.own(path, environ, start_response)
        environ = {key: value for key, value in environ.items()
                   if key not in ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")}
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None  # the portal's application never writes this way

        body = self.inner(environ, capture)
        headers = captured["headers"]
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        if not content_type.startswith("text/html") or environ.get("REQUEST_METHOD") == "HEAD":
            start_response(captured["status"], headers)
            return body
        try:
            page = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        page = self.inject(page)
        dropped = {"content-length", "etag", "last-modified", "cache-control", "content-security-policy"}
        headers = [(k, v) for k, v in headers if k.lower() not in dropped]
        headers += [("Content-Length", str(len(page))), ("Cache-Control", "no-store"),
                    ("Content-Security-Policy", content_security_policy())]
        start_response(captured["status"], headers)
        return [page]

    def inject(self, page: bytes) -> bytes:
        """The page with the reload script (and the last build's errors, if it failed)."""
        tags = (f'<link rel="stylesheet" href="{PREFIX}preview.css">'
                f'<script src="{PREFIX}reload.js" data-generation="{self.state.generation}" defer></script>')
        page = _insert(page, _HEAD_END, tags.encode(), before=True)
        banner = self.error_banner()
        if banner:
            page = _insert(page, _BODY_START, banner.encode("utf-8"), before=False)
        return page

    def error_banner(self) -> str:
        result = self.state.result
        if result is None or result.ok:
            return ""
        return (
            '<section id="preview-error" class="preview-error" role="alert">'
            "<h2>Lỗi khi xây dựng trang</h2>"
            f"<pre>{escape(result.messages)}</pre>"
            "<p>Trang đang xem là bản xây dựng tốt gần nhất. Sửa tệp rồi lưu lại: "
            "trang sẽ tự tải lại.</p></section>"
        )

    # -- /__preview/… ---------------------------------------------------------------------

    def own(self, path: str, environ, start_response):
        name = path[len(PREFIX):] if path.startswith(PREFIX) else ""
        if name == "wait":
            since = _param(environ.get("QUERY_STRING", ""), "since")
            self.state.wait(since, WAIT_SECONDS)
            return self.json(start_response, self.state.as_json())
        if name == "state":
            return self.json(start_response, self.state.as_json())
        if name in ("reload.js", "preview.css"):
            kind = "text/javascript" if name.endswith(".js") else "text/css"
            return self.reply(start_response, "200 OK", f"{kind}; charset=utf-8", (ASSETS / name).read_bytes())
        if name == "":
            return self.reply(start_response, "200 OK", "text/html; charset=utf-8", self.status_page().encode())
        return self.reply(start_response, "404 Not Found", "text/plain; charset=utf-8", b"404")

    def status_page(self) -> str:
        state = self.state.as_json()
        drafts = "".join(
            f'<li><a href="{escape(d["url"])}">{escape(d["title"])}</a>'
            f'{" (hẹn giờ)" if d["scheduled"] else ""}</li>' for d in state["drafts"]
        ) or "<li>Không có.</li>"
        last = "chưa có" if state["ok"] is None else ("thành công" if state["ok"] else "lỗi")
        return Markup(
            '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Xem trước</title>'
            '</head><body><h1>Bản xem trước</h1>'
            f"<p>Lần xây dựng gần nhất: {last} ({state['seconds']} giây).</p>"
            f"<h2>Bản nháp và bài hẹn giờ</h2><ul>{drafts}</ul>"
            '<p><a href="/">Trang chủ</a></p></body></html>'
        )

    @staticmethod
    def json(start_response, data: dict):
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return PreviewApp.reply(start_response, "200 OK", "application/json; charset=utf-8", body)

    @staticmethod
    def reply(start_response, status: str, content_type: str, body: bytes):
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))),
                                ("Cache-Control", "no-store"), *SECURITY_HEADERS])
        return [body]


def _insert(page: bytes, pattern: re.Pattern, text: bytes, before: bool) -> bytes:
    match = pattern.search(page)
    if match is None:
        return text + page if before else page + text
    at = match.start() if before else match.end()
    return page[:at] + text + page[at:]


def _param(query_string: str, name: str) -> str:
    from portal.web import parse_query_string

    return parse_query_string(query_string).get(name, "")
