"""HTTP responses of the service: the response object, its headers, and reading parameters."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import quote, unquote_to_bytes, urlsplit

from markupsafe import Markup

MAX_PARAM_CHARS = 20_000  # per value; the query itself is cut much shorter by search.request
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
]


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


def html(status: int, body: bytes | str, csp: str, cache: str = "no-cache") -> Response:
    """A page of the site (``csp``: its Content-Security-Policy)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = [("Cache-Control", cache), *SECURITY_HEADERS, ("Content-Security-Policy", csp)]
    return Response(status, body, "text/html; charset=utf-8", headers)


def html_error(status: int, title: str, message: str) -> Response:
    """A minimal page that needs neither the theme nor the settings (they may be the problem)."""
    body = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{Markup.escape(title)}</title></head><body><h1>{Markup.escape(title)}</h1>"
        f'<p>{Markup.escape(message)}</p><p><a href="/">Về trang chủ</a></p></body></html>'
    )
    headers = [("Cache-Control", "no-store"), *SECURITY_HEADERS,
               ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'self'")]
    return Response(status, body.encode("utf-8"), "text/html; charset=utf-8", headers)


def redirect(location: str, query_string: str, csp: str) -> Response:
    """301 to a path of the site (it starts with one "/"), keeping the query string."""
    location = quote(location, safe="/")
    if query_string:
        location += "?" + quote(query_string, safe="&=+%;,/:@!$'()*~", encoding="latin-1")
    response = html(301, b"", csp, cache="public, max-age=3600")
    response.headers.append(("Location", location))
    return response


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
