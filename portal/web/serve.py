"""``python -m portal serve``: the site and its search on waitress, with limits chosen for a
public service behind a reverse proxy.

* **Two lanes.** Searches (``/api/search``, ``/tim-kiem/``) take turns on the index (one at a
  time, :mod:`portal.search`), so they run on threads of their own (``--threads``); the
  health check ``/api/status`` and the static files run on other threads and never queue
  behind searches.
* **Connections** (``--connections``, default 2000): waitress stops accepting new connections
  at this many open ones, and its default (100) let a hundred idle clients lock every reader
  out. The file descriptor limit of the process is raised to fit, and connections are watched
  with ``poll()`` (``select()`` fails past 1023 descriptors).
* **Idle timeout** (``--idle-timeout``, default 15 s): a connection that sends nothing for so
  long is closed (checked every few seconds); waitress' default was 120 s. Keep-alive
  connections from a proxy reconnect when needed.
* **Requests**: headers up to 256 KB (the longest query the service reads, percent-encoded,
  fits), bodies up to 64 KB (the service answers only GET and HEAD).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from portal import urls
from portal.web.app import make_app

CONNECTIONS = 2000
IDLE_TIMEOUT = 15  # seconds
QUICK_THREADS = 4  # the lane of the health check and the static files
SEARCH_PATHS = frozenset({"/" + urls.SEARCH_API_URL, "/" + urls.SEARCH_API_URL + "/", "/" + urls.SEARCH_URL})
SPARE_DESCRIPTORS = 100  # files, index segments, the log, the listening socket


def server_options(threads: int = 4, connections: int = CONNECTIONS, idle_timeout: int = IDLE_TIMEOUT) -> dict:
    """Waitress adjustments (keyword arguments of ``waitress.create_server``)."""
    return {
        "threads": threads,
        "connection_limit": connections,
        "channel_timeout": idle_timeout,
        "cleanup_interval": max(1, min(5, idle_timeout // 3)),
        "asyncore_use_poll": True,
        "backlog": 1024,
        "max_request_header_size": 256 * 1024,
        "max_request_body_size": 64 * 1024,
        "ident": "portal",
    }


class Lanes:
    """A waitress task dispatcher with two thread pools: searches in one, the rest in the
    other. Waitress hands it a channel with its next request; the path decides the pool."""

    def __init__(self, search_threads: int, quick_threads: int = QUICK_THREADS):
        from waitress.task import ThreadedTaskDispatcher

        self.search, self.quick = ThreadedTaskDispatcher(), ThreadedTaskDispatcher()
        self.search.set_thread_count(search_threads)
        self.quick.set_thread_count(quick_threads)

    def add_task(self, channel) -> None:
        requests = getattr(channel, "requests", None)
        path = getattr(requests[0], "path", "") if requests else ""
        (self.search if path in SEARCH_PATHS else self.quick).add_task(channel)

    def set_thread_count(self, count: int) -> None:
        self.search.set_thread_count(count)

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        quick = self.quick.shutdown(cancel_pending, timeout)
        return self.search.shutdown(cancel_pending, timeout) and quick


def allow_descriptors(connections: int) -> int:
    """Raise the soft limit of open files to fit ``connections``; the connections that fit."""
    try:
        import resource
    except ImportError:  # not on POSIX: leave it to the system
        return connections
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + SPARE_DESCRIPTORS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return connections
    return min(connections, soft - SPARE_DESCRIPTORS)


def create_server(app, host: str, port: int, threads: int = 4, connections: int = CONNECTIONS,
                  idle_timeout: int = IDLE_TIMEOUT):
    """A waitress server of ``app`` with :func:`server_options` and :class:`Lanes`."""
    import waitress

    return waitress.create_server(app, host=host, port=port, _dispatcher=Lanes(threads),
                                  **server_options(threads, connections, idle_timeout))


def serve(args) -> int:
    """``python -m portal serve``: the site and the search on waitress."""
    site = Path(args.site)
    if not (site / "index.html").is_file():
        print(f"serve: không thấy trang đã xây dựng trong {site}/; hãy chạy make html", file=sys.stderr)
        return 1
    if args.threads < 1 or not 0 <= args.port <= 65535:
        print("serve: --threads phải ≥ 1 và --port trong khoảng 0–65535", file=sys.stderr)
        return 2
    if args.connections < 10 or args.idle_timeout < 1:
        print("serve: --connections phải ≥ 10 và --idle-timeout ≥ 1 (giây)", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    connections = allow_descriptors(args.connections)
    if connections < args.connections:
        print(f"serve: hệ thống chỉ cho mở {connections} kết nối (giới hạn số tệp mở, ulimit -n); "
              f"dùng {connections} thay vì {args.connections}", file=sys.stderr)
    app = make_app(site)
    try:
        app.theme.environment.get_template("search.html")  # read the settings and the theme now, not on a request
    except Exception as error:  # a broken pelicanconf.py or theme: say so, briefly
        print(f"serve: không đọc được cấu hình hoặc giao diện ({app.theme.settings_file}): "
              f"{error.__class__.__name__}: {error}", file=sys.stderr)
        return 1
    try:
        server = create_server(app, args.host, args.port, args.threads, connections, args.idle_timeout)
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
