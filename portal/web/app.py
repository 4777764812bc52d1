"""The WSGI application: routes, the JSON API and the health check (see :mod:`portal.web`)."""

from __future__ import annotations

import json
import logging
import os
import time
import traceback
from pathlib import Path

from whoosh.index import IndexError as WhooshIndexError

from portal import urls
from portal.search.integrity import DamagedIndex
from portal.search.request import BadRequest, SearchRequest, clean_query
from portal.search.searcher import OutdatedIndex, searcher_for
from portal.web import results, static
from portal.web.responses import SECURITY_HEADERS, Response, html, html_error, parse_query_string, redirect
from portal.web.templates import Theme

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SETTINGS = ROOT / "pelicanconf.py"
SEARCH_PATH = "/" + urls.SEARCH_URL  # "/tim-kiem/"
API_PATH = "/" + urls.SEARCH_API_URL  # "/api/search"
STATUS_PATH = "/api/status"  # health check for load balancers and the benchmark
NO_INDEX = "chưa có chỉ mục tìm kiếm; hãy xây dựng trang (make html)"
DAMAGED_INDEX = "chỉ mục tìm kiếm bị hỏng (tệp không khớp tổng kiểm); hãy xây dựng lại trang (make html)"
OUTDATED_INDEX = "chỉ mục tìm kiếm do phiên bản cũ ghi; hãy xây dựng lại trang (make html)"

logger = logging.getLogger("portal.web")


class PortalApp:
    """The WSGI application over one site folder (see :mod:`portal.web`)."""

    def __init__(self, site_dir: str | os.PathLike, settings_file: str | os.PathLike | None = None):
        self.site = Path(os.path.abspath(site_dir))
        self.theme = Theme(settings_file or os.environ.get("PORTAL_SETTINGS") or DEFAULT_SETTINGS)

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "GET").upper()
        try:
            response = self.respond(environ, method)
        except Exception:  # the last resort: log it, show no internals
            logger.error("error on %s %s\n%s", method, _path_for_log(environ), traceback.format_exc())
            response = html_error(500, "Lỗi máy chủ", "Máy chủ gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại sau.")
        headers = [*response.headers, ("Content-Length", str(response.length))]
        start_response(response.status_line, headers)
        logger.info("%s %s %s %.1fms", method, _path_for_log(environ), response.status,
                    (time.perf_counter() - started) * 1000)
        if method == "HEAD":
            if response.file is not None:
                response.file.close()
            return [b""]
        if response.file is not None:
            wrapper = environ.get("wsgi.file_wrapper")
            return wrapper(response.file, 65536) if wrapper else static.iter_file(response.file)
        return [response.body]

    def respond(self, environ, method: str) -> Response:
        if method not in ("GET", "HEAD"):
            response = html_error(405, "Phương thức không được hỗ trợ", "Trang này chỉ nhận GET và HEAD.")
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        raw_path = environ.get("PATH_INFO", "") or "/"
        try:
            path = raw_path.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return static.not_found(self.site, self.theme.csp)
        query_string = environ.get("QUERY_STRING", "")
        if path in (API_PATH, API_PATH + "/"):
            return self.api(parse_query_string(query_string))
        if path == STATUS_PATH:
            return self.status()
        if path == SEARCH_PATH:
            return self.search_page(parse_query_string(query_string))
        if path == SEARCH_PATH.rstrip("/"):
            return redirect(SEARCH_PATH, query_string, self.theme.csp)
        return static.serve_file(self.site, path, query_string, environ, self.theme.csp)

    def api(self, params: dict[str, str]) -> Response:
        try:
            request = SearchRequest.from_params(params)
            data = search(self.site, request).as_json()
            status = 200
        except BadRequest as error:
            data, status = {"error": str(error)}, 400
        except (FileNotFoundError, WhooshIndexError) as error:
            data, status = unavailable(error), 503
        return self.json(status, data)

    def status(self) -> Response:
        """Health check: 200 with the index's document count and warm-up state; 503 with
        ``"ready": false`` and why when there is no index to use (missing, outdated, damaged)."""
        try:
            data, status = searcher_for(self.site, warm_up=True).status(), 200
        except (FileNotFoundError, WhooshIndexError) as error:
            data, status = unavailable(error), 503
        return self.json(status, data)

    @staticmethod
    def json(status: int, data: dict) -> Response:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return Response(status, body, "application/json; charset=utf-8",
                        [("Cache-Control", "no-cache"), *SECURITY_HEADERS])

    def search_page(self, params: dict[str, str]) -> Response:
        context: dict = {"query": clean_query(params.get("q") or "")}
        status = 200
        params = {key: value for key, value in params.items() if key != "limit"}  # the page shows 10
        try:
            request = SearchRequest.from_params(params)
            if request.q:
                context.update(results.page_context(request, search(self.site, request)))
        except BadRequest as error:
            context["error"], status = f"Yêu cầu không hợp lệ: {error}.", 400
        except (FileNotFoundError, WhooshIndexError) as error:
            unavailable(error)
            context["error"] = "Chức năng tìm kiếm tạm thời chưa sẵn sàng. Vui lòng thử lại sau."
            status = 503
        return html(status, self.theme.render("search.html", context), self.theme.csp, cache="no-cache")


_logged: set[str] = set()


def unavailable(error: Exception) -> dict:
    """The JSON of a 503 when there is no index to use. The reason is logged once (with the
    files at fault); the answer names no server path."""
    if isinstance(error, DamagedIndex):
        message = DAMAGED_INDEX
    elif isinstance(error, OutdatedIndex):
        message = OUTDATED_INDEX
    else:
        message = NO_INDEX
    detail = str(error)
    if detail not in _logged:
        _logged.add(detail)
        logger.warning("search unavailable: %s", detail)
    return {"error": message, "ready": False}


def search(site: str | os.PathLike, request: SearchRequest):
    """:meth:`Searcher.search` on the shared, warmed-up searcher of ``site``;
    FileNotFoundError when there is no index to use (missing, written by another version, or
    failing its checksums)."""
    return searcher_for(site, warm_up=True).search(request)


def _path_for_log(environ) -> str:
    path = environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    text = path + ("?" + query if query else "")
    text = "".join(c if " " < c != "\x7f" else "?" for c in text[:200])  # no forged log lines
    return text + "…" if len(path) + len(query) > 199 else text


def make_app(site_dir: str | os.PathLike, settings_file: str | os.PathLike | None = None) -> PortalApp:
    """The WSGI application serving the built site in ``site_dir`` (and its search)."""
    return PortalApp(site_dir, settings_file)


def app_from_env() -> PortalApp:
    """For WSGI servers: ``waitress-serve --call portal.web:app_from_env``.

    The site folder is ``$PORTAL_SITE`` (default ``output``), the Pelican settings whose
    globals the results page uses ``$PORTAL_SETTINGS`` (default ``pelicanconf.py``). Both are
    read now, so a mistake stops the server at start rather than failing requests.
    """
    app = make_app(os.environ.get("PORTAL_SITE", "output"))
    app.theme.environment.get_template("search.html")
    return app
