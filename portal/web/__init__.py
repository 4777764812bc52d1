"""The portal's web service: the built static site, the search API and the results page.

One WSGI application (:func:`make_app`, :mod:`portal.web.app`) answers

* ``GET /api/search?q=&province=&year=&page=&limit=&sort=`` — JSON (see
  :meth:`portal.search.request.SearchResponse.as_json`); 400 ``{"error": …}`` for a parameter
  the service does not accept, 503 when the site has no search index yet;
* ``GET /tim-kiem/?q=&province=&year=&page=&sort=`` — the results page
  (:mod:`portal.web.results`), rendered with the theme's ``search.html``
  (:mod:`portal.web.templates`) so it looks like the rest of the site; filters, sorting,
  paging and the suggestion are plain links (no JavaScript needed);
* everything else — files of the built site (:mod:`portal.web.static`): directory URLs serve
  ``index.html``, the site's ``404.html`` otherwise. Nothing outside the site folder is ever
  served, nor the search index inside it (``search-index/``), nor hidden files.

Only GET and HEAD are allowed. ``python -m portal serve`` (:mod:`portal.web.serve`) runs it
on waitress; any other WSGI server can run it too::

    PORTAL_SITE=/srv/antq/output waitress-serve --listen 127.0.0.1:8000 --call portal.web:app_from_env

The build swaps the whole output folder (``portal.build``); the service follows: files are
looked up per request and the shared searcher reopens the index when it changed.
"""

from portal.web.app import ROOT, PortalApp, app_from_env, make_app
from portal.web.responses import SECURITY_HEADERS, content_security_policy, parse_query_string

__all__ = ["ROOT", "SECURITY_HEADERS", "PortalApp", "app_from_env", "content_security_policy", "make_app",
           "parse_query_string"]
