"""The portal's web service: the built static site, the search API and the results page.

One WSGI application (:func:`make_app`) answers

* ``GET /api/search?q=&province=&year=&page=&limit=&sort=`` — JSON (see
  :meth:`portal.search.request.SearchResponse.as_json`); 400 ``{"error": …}`` for a parameter
  the service does not accept, 503 when the site has no search index yet;
* ``GET /tim-kiem/?q=&province=&year=&page=&sort=`` — the results page, rendered with the
  theme's ``search.html`` so it looks like the rest of the site; filters, sorting, paging
  and the suggestion are plain links (no JavaScript needed);
* everything else — files of the built site (directory URLs serve ``index.html``; the
  site's ``404.html`` otherwise). Nothing outside the site folder is ever served, nor the
  search index inside it (``search-index/``), nor hidden files.

Only GET and HEAD are allowed. ``python -m portal serve`` runs it on waitress; any other
WSGI server can run it too::

    PORTAL_SITE=/srv/antq/output waitress-serve --listen 127.0.0.1:8000 --call portal.web:app_from_env

The build swaps the whole output folder (``portal.build``); the service follows: files are
looked up per request and the shared searcher reopens the index when it changed.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import os
import stat
import sys
import time
import traceback
from email.utils import formatdate, parsedate_to_datetime
from functools import cached_property
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes, urlencode, urlsplit

import jinja2
from markupsafe import Markup
from whoosh.index import IndexError as WhooshIndexError

from portal import gazetteer, templating, urls
from portal.search.request import MAX_PAGE, BadRequest, SearchRequest, clean_query
from portal.search.searcher import searcher_for

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SETTINGS = ROOT / "pelicanconf.py"
SEARCH_PATH = "/" + urls.SEARCH_URL  # "/tim-kiem/"
API_PATH = "/" + urls.SEARCH_API_URL  # "/api/search"
STATUS_PATH = "/api/status"  # health check for load balancers and the benchmark
MAX_PARAM_CHARS = 20_000  # per value; the query itself is cut much shorter by search.request

logger = logging.getLogger("portal.web")

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
}
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
]
NO_INDEX = {"error": "chưa có chỉ mục tìm kiếm; hãy xây dựng trang (make html)"}


def content_security_policy(site_url: str = "") -> str:
    """What pages may load: the theme needs only its own CSS, SVG and (optional) script."""
    own = "'self'"
    origin = urlsplit(site_url)
    if origin.scheme in ("http", "https") and origin.netloc:
        own += f" {origin.scheme}://{origin.netloc}"  # SITEURL of a published build
    return (
        f"default-src {own}; img-src {own} data: https:; style-src {own}; script-src {own}; "
        f"object-src 'none'; base-uri 'self'; form-action {own}; frame-ancestors 'self'"
    )


class Response:
    def __init__(self, status: int, body: bytes = b"", content_type: str = "text/plain; charset=utf-8",
                 headers: list[tuple[str, str]] | None = None, file=None, length: int | None = None):
        self.status = status
        self.body = body
        self.file = file  # an open file to send instead of body
        self.length = len(body) if length is None else length
        self.headers = [("Content-Type", content_type), *(headers or [])]

    @property
    def status_line(self) -> str:
        return f"{self.status} {HTTPStatus(self.status).phrase}"


def parse_query_string(raw: str) -> dict[str, str]:
    """Parameters of a WSGI ``QUERY_STRING``: first value of each, UTF-8 with replacement.

    Never fails: invalid percent-encoding or UTF-8 (``%ff%fe``) becomes U+FFFD, which the
    query analysis treats as any other non-letter.
    """
    params: dict[str, str] = {}
    data = raw.encode("latin-1", "replace")  # WSGI strings carry bytes as latin-1
    for part in data.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        key = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace")
        if key not in params:
            text = unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8", "replace")
            params[key] = text[:MAX_PARAM_CHARS]
    return params


class PortalApp:
    """The WSGI application over one site folder (see the module docstring)."""

    def __init__(self, site_dir: str | os.PathLike, settings_file: str | os.PathLike | None = None):
        self.site = Path(os.path.abspath(site_dir))
        self.settings_file = Path(settings_file or os.environ.get("PORTAL_SETTINGS") or DEFAULT_SETTINGS)

    # -- WSGI -----------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "GET").upper()
        try:
            response = self.respond(environ, method)
        except Exception:  # the last resort: log it, show no internals
            logger.error("error on %s %s\n%s", method, _path_for_log(environ), traceback.format_exc())
            response = self.html_error(500, "Lỗi máy chủ", "Máy chủ gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại sau.")
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
            return wrapper(response.file, 65536) if wrapper else _iter_file(response.file)
        return [response.body]

    def respond(self, environ, method: str) -> Response:
        if method not in ("GET", "HEAD"):
            response = self.html_error(405, "Phương thức không được hỗ trợ", "Trang này chỉ nhận GET và HEAD.")
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        raw_path = environ.get("PATH_INFO", "") or "/"
        try:
            path = raw_path.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return self.not_found()
        query_string = environ.get("QUERY_STRING", "")
        if path in (API_PATH, API_PATH + "/"):
            return self.api(parse_query_string(query_string))
        if path == STATUS_PATH:
            return self.status()
        if path == SEARCH_PATH:
            return self.search_page(parse_query_string(query_string))
        if path == SEARCH_PATH.rstrip("/"):
            return self.redirect(SEARCH_PATH, query_string)
        return self.static(path, query_string, environ)

    # -- search ---------------------------------------------------------------------------

    def api(self, params: dict[str, str]) -> Response:
        try:
            request = SearchRequest.from_params(params)
            data = search(self.site, request).as_json()
            status = 200
        except BadRequest as error:
            data, status = {"error": str(error)}, 400
        except (FileNotFoundError, WhooshIndexError):
            data, status = NO_INDEX, 503
        return self.json(status, data)

    def status(self) -> Response:
        """Health check: 200 with the index's document count and warm-up state, 503 without one."""
        try:
            data, status = searcher_for(self.site, warm_up=True).status(), 200
        except (FileNotFoundError, WhooshIndexError):
            data, status = NO_INDEX, 503
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
                context.update(self.search_context(request))
        except BadRequest as error:
            context["error"], status = f"Yêu cầu không hợp lệ: {error}.", 400
        except (FileNotFoundError, WhooshIndexError):
            context["error"] = "Chức năng tìm kiếm tạm thời chưa sẵn sàng. Vui lòng thử lại sau."
            status = 503
        return self.html(status, self.render("search.html", context), cache="no-cache")

    def search_context(self, request: SearchRequest) -> dict:
        response = search(self.site, request)
        places = gazetteer.load()

        def url(**changes) -> str:
            return search_url(request, **changes)

        provinces = []
        for slug, count in response.facets.get("province", {}).items():
            selected = slug == request.province
            provinces.append({
                "label": places.label_of(slug), "slug": slug, "count": count, "selected": selected,
                "url": url(province=None if selected else slug),
            })
        if request.province and not any(item["selected"] for item in provinces):
            provinces.insert(0, {  # a former unit: shown so it can be removed
                "label": places.label_of(request.province), "slug": request.province,
                "count": response.total, "selected": True, "url": url(province=None),
            })
        years = []
        for year, count in response.facets.get("year", {}).items():
            selected = request.year is not None and str(request.year) == year
            years.append({"label": year, "count": count, "selected": selected,
                          "url": url(year=None if selected else year)})
        if request.year and not any(item["selected"] for item in years):
            years.insert(0, {"label": str(request.year), "count": response.total, "selected": True,
                             "url": url(year=None)})

        results = [
            {
                "url": hit.url, "title": hit.title, "date": hit.date, "province_label": hit.province,
                "snippet": Markup(hit.snippet),  # escaped text with <mark>, from search.snippets
            }
            for hit in response.results
        ]
        page_count = max(response.pages, 1)
        return {
            "query": request.q,
            "results": results,
            "total": response.total,
            "current_page": request.page,
            "page_count": page_count,
            "facets": {"province": provinces, "year": years},
            "suggestion": response.suggestion,
            "suggestion_url": url(q=response.suggestion) if response.suggestion else None,
            "sort": request.sort,
            "sort_urls": {key: url(sort=key) for key in ("relevance", "newest")},
            "prev_url": url(page=min(request.page - 1, page_count)) if request.page > 1 else None,
            "next_url": url(page=request.page + 1) if request.page < min(response.pages, MAX_PAGE) else None,
        }

    # -- static files ---------------------------------------------------------------------

    def resolve(self, path: str) -> tuple[Path, bool] | None:
        """The file of the site a URL path names and whether the path named a folder (its
        ``index.html``), or None: never anything outside the site nor in its index."""
        if not path.startswith("/") or "\\" in path or any(ord(c) < 32 or ord(c) == 127 for c in path):
            return None
        parts = path[1:].split("/")
        if parts[-1] == "":  # a directory URL
            parts = parts[:-1]
        for number, part in enumerate(parts):
            if not part or ":" in part:  # "//", a drive letter
                return None
            if part.startswith(".") and not (number == 0 and part == ".well-known"):  # ".", "..", hidden
                return None
        if parts and parts[0].casefold() == urls.SEARCH_INDEX_DIR:
            return None
        site = Path(os.path.realpath(self.site))
        candidate = site.joinpath(*parts)
        folder = candidate.is_dir()
        if folder:
            candidate = candidate / "index.html"
        real = Path(os.path.realpath(candidate))
        if site not in real.parents:
            return None  # a symlink pointing out of the site
        index_dir = Path(os.path.realpath(site / urls.SEARCH_INDEX_DIR))
        if real == index_dir or index_dir in real.parents:
            return None  # a symlink pointing into the index
        return real, folder

    def static(self, path: str, query_string: str, environ) -> Response:
        resolved = self.resolve(path)
        if resolved is None:
            return self.not_found()
        target, folder = resolved
        try:
            if not stat.S_ISREG(os.stat(target).st_mode):  # no folder, FIFO or device
                return self.not_found()
            handle = open(target, "rb")  # noqa: SIM115 (closed by the WSGI server)
        except OSError:
            return self.not_found()
        info = os.fstat(handle.fileno())
        if folder and not path.endswith("/"):
            handle.close()  # "/tinh/an-giang" → "/tinh/an-giang/" (relative links need the slash)
            return self.redirect(path + "/", query_string)
        content_type = _content_type(target.name)
        etag = f'"{info.st_mtime_ns:x}-{info.st_size:x}"'
        headers = [
            ("ETag", etag),
            ("Last-Modified", formatdate(info.st_mtime, usegmt=True)),
            ("Cache-Control", "no-cache" if _revalidate(content_type) else "public, max-age=3600"),
            *SECURITY_HEADERS,
        ]
        if content_type.startswith("text/html"):
            headers.append(("Content-Security-Policy", self.csp))
        if _not_modified(environ, etag, info.st_mtime):
            handle.close()
            return Response(304, b"", content_type, headers, length=0)
        return Response(200, content_type=content_type, headers=headers, file=handle, length=info.st_size)

    def not_found(self) -> Response:
        page = self.site / "404.html"
        try:
            body = page.read_bytes()
        except OSError:
            return self.html_error(404, "Không tìm thấy trang", "Trang bạn tìm không tồn tại.")
        return self.html(404, body, cache="no-cache")

    def redirect(self, location: str, query_string: str = "") -> Response:
        location = quote(location, safe="/")  # a path of the site: starts with one "/"
        if query_string:
            location += "?" + quote(query_string, safe="&=+%;,/:@!$'()*~", encoding="latin-1")
        response = self.html(301, b"", cache="public, max-age=3600")
        response.headers.append(("Location", location))
        return response

    # -- HTML -----------------------------------------------------------------------------

    def html(self, status: int, body: bytes | str, cache: str = "no-cache") -> Response:
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = [("Cache-Control", cache), *SECURITY_HEADERS, ("Content-Security-Policy", self.csp)]
        return Response(status, body, "text/html; charset=utf-8", headers)

    def html_error(self, status: int, title: str, message: str) -> Response:
        """A minimal page that needs neither the theme nor the settings (they may be the problem)."""
        body = (
            '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            f"<title>{Markup.escape(title)}</title></head><body><h1>{Markup.escape(title)}</h1>"
            f'<p>{Markup.escape(message)}</p><p><a href="/">Về trang chủ</a></p></body></html>'
        )
        headers = [("Cache-Control", "no-store"), *SECURITY_HEADERS,
                   ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'self'")]
        return Response(status, body.encode("utf-8"), "text/html; charset=utf-8", headers)

    def render(self, template: str, context: dict) -> str:
        return self.templates.get_template(template).render(context)

    @cached_property
    def settings(self) -> dict:
        """The Pelican settings of the build (pelicanconf.py), read once."""
        from pelican.settings import read_settings

        return read_settings(str(self.settings_file))

    @cached_property
    def csp(self) -> str:
        return content_security_policy(self.settings.get("SITEURL", ""))

    @cached_property
    def templates(self) -> jinja2.Environment:
        """The theme's templates with the globals and filters Pelican gives them."""
        settings = self.settings
        options = dict(settings.get("JINJA_ENVIRONMENT") or {})
        options["autoescape"] = True
        loader = jinja2.FileSystemLoader(os.path.join(settings["THEME"], "templates"))
        env = jinja2.Environment(loader=loader, **options)
        env.filters.update(templating.FILTERS)
        env.globals.update({key: value for key, value in settings.items() if key.isupper()})
        env.globals.update(settings.get("JINJA_GLOBALS") or {})
        env.globals["SITEURL"] = settings.get("SITEURL", "")
        return env


def search(site: str | os.PathLike, request: SearchRequest):
    """:meth:`Searcher.search` on the shared, warmed-up searcher of ``site``;
    FileNotFoundError when there is no index to use (missing, or written by another version)."""
    return searcher_for(site, warm_up=True).search(request)


def search_url(request: SearchRequest, **changes) -> str:
    """Site-relative URL of the results page for ``request`` with ``changes`` (None drops one).

    Changing a filter, the query or the sort goes back to the first page.
    """
    values = {"q": request.q, "province": request.province, "year": request.year,
              "sort": request.sort, "page": request.page}
    if set(changes) - {"page"}:
        values["page"] = 1
    values.update(changes)
    params = [(key, str(values[key])) for key in ("q", "province", "year", "sort", "page") if values[key]]
    params = [(k, v) for k, v in params if not (k == "sort" and v == "relevance") and not (k == "page" and v == "1")]
    return urls.SEARCH_URL + ("?" + urlencode(params) if params else "")


def _content_type(name: str) -> str:
    lower = name.lower()
    if lower.endswith(".atom.xml"):
        return "application/atom+xml; charset=utf-8"
    suffix = os.path.splitext(lower)[1]
    if suffix in TYPES:
        return TYPES[suffix]
    guessed, _ = mimetypes.guess_type(lower)
    return guessed or "application/octet-stream"


def _revalidate(content_type: str) -> bool:
    """Pages and feeds change with each build; theme files and images rarely do."""
    return content_type.startswith(("text/html", "application/xml", "application/atom", "text/plain"))


def _not_modified(environ, etag: str, mtime: float) -> bool:
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match is not None:
        return etag in [tag.strip().removeprefix("W/") for tag in match.split(",")] or match.strip() == "*"
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since:
        try:
            return int(mtime) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
    return False


def _iter_file(handle, block: int = 65536):
    with handle:
        while chunk := handle.read(block):
            yield chunk


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
    app.templates.get_template("search.html")
    return app


def serve(args) -> int:
    """``python -m portal serve``: the site and the search on waitress."""
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
        app.templates.get_template("search.html")  # read the settings and the theme now, not on a request
    except Exception as error:  # a broken pelicanconf.py or theme: say so, briefly
        print(f"serve: không đọc được cấu hình hoặc giao diện ({app.settings_file}): "
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


__all__ = ["PortalApp", "app_from_env", "content_security_policy", "make_app", "parse_query_string", "serve"]
