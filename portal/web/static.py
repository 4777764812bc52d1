"""Files of the built site: directory URLs serve ``index.html``, conditional requests, and
never anything outside the site folder, in its search index or hidden."""

from __future__ import annotations

import mimetypes
import os
import stat
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from portal import urls
from portal.web.responses import SECURITY_HEADERS, Response, html, html_error, redirect

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


def resolve(site: Path, path: str) -> tuple[Path, bool] | None:
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
    site = Path(os.path.realpath(site))
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


def serve_file(site: Path, path: str, query_string: str, environ, csp: str) -> Response:
    """The response for a file of the site (``csp``: the pages' Content-Security-Policy)."""
    resolved = resolve(site, path)
    if resolved is None:
        return not_found(site, csp)
    target, folder = resolved
    try:
        if not stat.S_ISREG(os.stat(target).st_mode):  # no folder, FIFO or device
            return not_found(site, csp)
        handle = open(target, "rb")  # noqa: SIM115 (closed by the WSGI server)
    except OSError:
        return not_found(site, csp)
    info = os.fstat(handle.fileno())
    if folder and not path.endswith("/"):
        handle.close()  # "/tinh/an-giang" → "/tinh/an-giang/" (relative links need the slash)
        return redirect(path + "/", query_string, csp)
    content_type = _content_type(target.name)
    etag = f'"{info.st_mtime_ns:x}-{info.st_size:x}"'
    headers = [
        ("ETag", etag),
        ("Last-Modified", formatdate(info.st_mtime, usegmt=True)),
        ("Cache-Control", "no-cache" if _revalidate(content_type) else "public, max-age=3600"),
        *SECURITY_HEADERS,
    ]
    if content_type.startswith("text/html"):
        headers.append(("Content-Security-Policy", csp))
    if _not_modified(environ, etag, info.st_mtime):
        handle.close()
        return Response(304, b"", content_type, headers, length=0)
    return Response(200, content_type=content_type, headers=headers, file=handle, length=info.st_size)


def not_found(site: Path, csp: str) -> Response:
    """The site's ``404.html`` (a minimal page when it has none)."""
    try:
        body = (site / "404.html").read_bytes()
    except OSError:
        return html_error(404, "Không tìm thấy trang", "Trang bạn tìm không tồn tại.")
    return html(404, body, csp, cache="no-cache")


def iter_file(handle, block: int = 65536):
    with handle:
        while chunk := handle.read(block):
            yield chunk


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
