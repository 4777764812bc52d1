"""The README's nginx set-up, run: Debian's nginx with ``deploy/nginx.conf`` unchanged in front of a
published build (``publishconf.py``: precompressed pages) and two search service processes.

nginx runs on a free port with a temporary prefix, as a non-root user (``nobody`` when the
tests run as root): :mod:`portal.nginx_deploy`, which ``bench search`` uses too. Skipped only
where there is no nginx (``.ci/run`` installs it).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

from portal import nginx_deploy
from portal.nginx_deploy import Nginx
from portal.service_process import ServiceProcess, free_port
from tests.conftest import ROOT, build

ARTICLE = "/2019/hoi-nghi-tong-ket-phong-trao-toan-dan-bao-ve-an-ninh-to-quoc/"
HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Strict-Transport-Security": "max-age=",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

pytestmark = pytest.mark.skipif(not nginx_deploy.available(), reason="nginx is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def deployment():
    """A published build of the sample site, two service processes and nginx in front."""
    work = Path(tempfile.mkdtemp(prefix="antq-nginx-"))  # readable by nobody (pytest's tmp is not)
    work.chmod(0o755)
    port = free_port()
    env = {**os.environ, "PORTAL_SITEURL": f"http://127.0.0.1:{port}"}
    result = build(ROOT / "content", work / "site", work / "cache", settings="publishconf.py", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    site = work / "site"
    (site / "search-index").chmod(0o755)  # only the config keeps it private
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    services = [ServiceProcess(site, work / f"serve-{n}.log") for n in (1, 2)]
    try:
        server = Nginx(work / "nginx", site, port, [service.port for service in services])
    except Exception:
        for service in services:
            service.stop()
        raise
    server.site, server.services = site, services
    yield server
    server.stop()
    for service in services:
        service.stop()
    shutil.rmtree(work, ignore_errors=True)


def get(deployment, path: str, **options) -> requests.Response:
    options.setdefault("allow_redirects", False)
    return requests.get(deployment.url + path, timeout=10, **options)


def assert_security_headers(response: requests.Response) -> None:
    for name, expected in HEADERS.items():
        values = response.raw.headers.getlist(name)
        assert len(values) == 1, (response.url, name, values)  # once, not nginx's and the service's
        assert expected in values[0], (response.url, name, values)


def test_pages_folders_and_feeds(deployment):
    home = get(deployment, "/")
    assert home.status_code == 200
    assert home.headers["Content-Type"] == "text/html; charset=utf-8"
    assert home.headers["Cache-Control"] == "no-cache"
    assert ARTICLE in home.text
    article = get(deployment, ARTICLE)
    assert article.status_code == 200 and "Hội nghị tổng kết" in article.text
    folder = get(deployment, "/tinh/an-giang")
    assert folder.status_code == 301 and folder.headers["Location"] == "/tinh/an-giang/"
    assert get(deployment, "/tinh/an-giang/").status_code == 200
    feed = get(deployment, "/feeds/all.atom.xml")
    assert feed.status_code == 200 and "<feed" in feed.text
    css = get(deployment, "/theme/css/portal.css")
    assert css.status_code == 200 and css.headers["Cache-Control"] == "max-age=3600"


def test_the_theme_needs_nothing_the_policy_forbids(deployment):
    """No inline script or style, nothing loaded from another origin: the CSP breaks no page."""
    for path in ("/", ARTICLE, "/tinh/", "/404.html", "/tim-kiem/?q=an+ninh"):
        page = BeautifulSoup(get(deployment, path).text, "html.parser")
        assert not page.find("style") and not page.select("[style]"), path
        for script in page.find_all("script"):
            if script.get("type") == "application/ld+json":  # data, never run: no policy applies
                continue
            assert script.get("src") and not script.string, path
        assert not [tag for tag in page.find_all(True) if any(name.startswith("on") for name in tag.attrs)], path
        for tag in page.select("link[href], script[src]"):
            url = tag.get("href") or tag.get("src")
            assert url.startswith(("/", deployment.url + "/")) or tag.get("rel") in (["alternate"], ["canonical"]), url


def test_precompressed_files_are_sent_to_clients_that_accept_gzip(deployment):
    for path, file in (("/", "index.html"), (ARTICLE, ARTICLE.strip("/") + "/index.html"),
                       ("/theme/css/portal.css", "theme/css/portal.css"),
                       ("/feeds/all.atom.xml", "feeds/all.atom.xml"), ("/sitemap.xml", "sitemap.xml")):
        original = (deployment.site / file).read_bytes()
        packed = (deployment.site / (file + ".gz")).read_bytes()
        assert gzip.decompress(packed) == original
        response = get(deployment, path, headers={"Accept-Encoding": "gzip"}, stream=True)
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in response.headers["Vary"]
        body = response.raw.read(decode_content=False)
        assert body == packed, path  # the build's file, not compressed on the fly
        assert int(response.headers["Content-Length"]) == len(packed)
        plain = get(deployment, path, headers={"Accept-Encoding": "identity"}, stream=True)
        assert "Content-Encoding" not in plain.headers and plain.raw.read() == original


def test_search_through_the_proxy(deployment):
    response = get(deployment, "/api/search", params={"q": "an ninh to quoc"})
    assert response.status_code == 200
    data = response.json()
    assert data["total"] >= 1 and data["results"][0]["url"]
    assert_security_headers(response)
    page = get(deployment, "/tim-kiem/", params={"q": "ANTQ"})
    assert page.status_code == 200 and "Hội nghị tổng kết" in page.text
    assert_security_headers(page)
    moved = get(deployment, "/tim-kiem?q=ANTQ")
    assert moved.status_code == 301 and moved.headers["Location"] == "/tim-kiem/?q=ANTQ"
    assert get(deployment, "/api/search", params={"q": "x", "limit": "0"}).status_code == 400  # the service's answer
    status = get(deployment, "/api/status")
    assert status.status_code == 200 and status.json()["documents"] == 5
    compressed = get(deployment, "/api/search", params={"q": "an ninh"}, headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip" and compressed.json()["total"] >= 1


def test_missing_pages_get_the_site_404_page(deployment):
    for path in ("/khong-co-trang-nay/", "/2019/khong-co.html", "/tinh/khong-co/"):
        response = get(deployment, path)
        assert response.status_code == 404, path
        assert response.text == (deployment.site / "404.html").read_text(encoding="utf-8")
        assert_security_headers(response)


def test_the_index_dotfiles_and_manifests_are_never_served(deployment):
    site = deployment.site
    private = [f"/{path.relative_to(site).as_posix()}" for path in (site / "search-index").rglob("*")]
    private += ["/search-index", "/search-index/", "/.render-manifest.json", "/.git/config", "/.git/",
                "/%2Erender-manifest.json", "/search-index/../search-index/manifest.json", "/x/../.git/config",
                "/search%2Dindex/manifest.json", "/nam/../search-index/manifest.json"]
    assert "/search-index/manifest.json" in private
    for path in private:
        response = requests.get(deployment.url + path, timeout=10, allow_redirects=False)
        assert response.status_code == 404, path
        assert response.text == (site / "404.html").read_text(encoding="utf-8"), path
        assert_security_headers(response)


def test_security_headers_on_every_kind_of_answer(deployment):
    for path in ("/", ARTICLE, "/tinh/an-giang", "/theme/css/portal.css", "/theme/images/favicon.svg",
                 "/feeds/all.atom.xml", "/robots.txt", "/khong-co/", "/search-index/", "/api/status",
                 "/api/search?q=antq", "/tim-kiem/?q=antq", "/tim-kiem?q=antq", "/api/search?q=x&page=0"):
        assert_security_headers(get(deployment, path))
    assert "nginx/" not in get(deployment, "/").headers.get("Server", "")


def test_a_service_process_killed_mid_test_costs_no_failed_request(deployment):
    """Run last in this module: it kills one of the two service processes (SIGKILL) while three
    clients search. nginx still holds idle connections to it and sends it requests until it
    has failed once: each must go to the other process.

    The clients hold back while the kill happens: an answer the process had begun to write
    when it died would be lost, and nginx cannot resend half an answer (see the README)."""
    queries = ["an ninh", "ANTQ", "hoi nghi tong ket", "an giang", "cong an tinh", "to quoc"]
    failures: list[str] = []
    lock = threading.Lock()
    state = {"answered": 0, "in_flight": 0}
    go, stop = threading.Event(), threading.Event()
    go.set()

    def client(number: int) -> None:
        session = requests.Session()  # keep-alive to nginx, as a browser would
        while not stop.is_set():
            go.wait(timeout=0.1)
            with lock:
                if not go.is_set():
                    continue
                state["in_flight"] += 1
                count = state["answered"]
            query = queries[(count + number) % len(queries)]
            path = "/api/search" if count % 2 else "/tim-kiem/"
            try:
                response = session.get(deployment.url + path, params={"q": query}, timeout=10)
                ok = response.status_code == 200 and (path == "/tim-kiem/" or response.json()["total"] >= 1)
                if not ok:
                    failures.append(f"{path} {query}: {response.status_code} {response.text[:200]}")
            except (requests.RequestException, json.JSONDecodeError) as error:
                failures.append(f"{path} {query}: {error!r}")
            with lock:
                state["in_flight"] -= 1
                state["answered"] += 1

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 60
        while state["answered"] < count and time.monotonic() < deadline:
            time.sleep(0.01)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    try:
        wait_for(60)
        victim, survivor = deployment.services
        for service in (victim, survivor):  # both took requests
            assert re.search(r"GET /(api/search|tim-kiem/)\?q=", service.log())
        with lock:
            go.clear()
        while state["in_flight"]:
            time.sleep(0.001)
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()
        killed_at = state["answered"]
        go.set()
        wait_for(killed_at + 120)
    finally:
        stop.set()
        go.set()
        for thread in threads:
            thread.join(timeout=30)
    assert state["answered"] >= killed_at + 120
    assert not failures, failures[:5]
    assert "upstream" in deployment.log()  # nginx met the dead process and sent the request on
    assert get(deployment, "/api/status").status_code == 200
