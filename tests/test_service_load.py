"""The service holds under load and abuse: idle connections cannot lock readers out, idle ones
are closed, the health check does not wait behind searches, bad parameters are a 400."""

from __future__ import annotations

import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from portal.search.indexer import write_index
from portal.search.schema import SearchDocument
from portal.service_process import ServiceProcess
from tests.conftest import ROOT

TEXT = ("an ninh tổ quốc giao thông phòng cháy chữa cháy biên giới công an nhân dân hội nghị tổng kết "
        "phong trào toàn dân bảo vệ tỉnh huyện xã thôn bản trật tự xã hội tội phạm ma túy")


def _open_idle(port: int, count: int, partial: bool = False) -> list[socket.socket]:
    """``count`` connections that send nothing (or half a request line, like a slow client)."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        if partial:
            sock.sendall(b"GET /api/search?q=an HTTP/1.1\r\nHost: loc")
        sockets.append(sock)
    return sockets


def test_idle_connections_do_not_lock_readers_out(sample_site, tmp_path):
    service = ServiceProcess(sample_site, log=tmp_path / "service.log", threads=2)
    idle = []
    try:
        idle = _open_idle(service.port, 120) + _open_idle(service.port, 30, partial=True)
        time.sleep(0.5)  # the server has accepted them (or stopped accepting)
        started = time.monotonic()
        answer = requests.get(service.url + "/api/search", params={"q": "an ninh"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["total"] == 5
        assert requests.get(service.url + "/", timeout=10).status_code == 200
        assert time.monotonic() - started < 5
    finally:
        for sock in idle:
            sock.close()
        service.stop()


def test_idle_connections_are_closed_after_the_idle_timeout(sample_site, tmp_path):
    service = ServiceProcess(sample_site, log=tmp_path / "service.log", threads=2,
                             options=["--idle-timeout", "2"])
    idle = []
    try:
        idle = _open_idle(service.port, 5) + _open_idle(service.port, 5, partial=True)
        started = time.monotonic()
        closed = 0
        for sock in idle:
            sock.settimeout(15)
            try:
                closed += sock.recv(1024) == b""  # closed by the service
            except ConnectionResetError:
                closed += 1
        assert closed == len(idle) and time.monotonic() - started < 10
    finally:
        for sock in idle:
            sock.close()
        service.stop()


@pytest.mark.parametrize("options", [["--connections", "5"], ["--idle-timeout", "0"]])
def test_bad_limits_are_one_line(sample_site, options):
    import subprocess
    import sys

    from tests.conftest import ROOT

    result = subprocess.run([sys.executable, "-m", "portal", "serve", "--site", str(sample_site), *options],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    """A site of 1,500 articles over a few common syllables: each search takes a while."""
    site = tmp_path_factory.mktemp("large")
    (site / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    rng, words = random.Random(7), TEXT.split()
    write_index([
        SearchDocument(url=f"{n}/", title=" ".join(rng.choices(words, k=8)), date=dt.datetime(2015 + n % 10, 1, 1),
                       text=" ".join(rng.choices(words, k=150)))
        for n in range(1500)
    ], site / "search-index")
    return site


def test_status_answers_while_searches_run(large_site, tmp_path):
    service = ServiceProcess(large_site, log=tmp_path / "service.log", threads=4)
    stop = threading.Event()
    search_times: list[float] = []

    def client():
        with requests.Session() as session:
            while not stop.is_set():
                started = time.perf_counter()
                response = session.get(service.url + "/api/search", params={"q": "an ninh cong an"}, timeout=30)
                assert response.status_code == 200
                search_times.append(time.perf_counter() - started)

    try:
        deadline = time.monotonic() + 60
        while not requests.get(service.url + "/api/status", timeout=30).json().get("ready"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        clients = [threading.Thread(target=client, daemon=True) for _ in range(10)]
        for thread in clients:
            thread.start()
        time.sleep(1)
        status_times = []
        for _ in range(15):
            started = time.perf_counter()
            response = requests.get(service.url + "/api/status", timeout=30)
            status_times.append(time.perf_counter() - started)
            assert response.status_code == 200 and response.json()["documents"] == 1500
            time.sleep(0.05)
        stop.set()
        for thread in clients:
            thread.join(timeout=60)
        status, search = statistics.median(status_times), statistics.median(search_times)
        # behind the searches, the health check would take as long as a search does
        assert status < search / 3, (status, search)
    finally:
        stop.set()
        service.stop()


def test_a_service_dies_with_the_process_that_started_it(sample_site):
    """A test run or bench killed outright leaves no service running behind it."""
    if not os.path.isdir("/proc"):
        pytest.skip("needs Linux (PR_SET_PDEATHSIG, /proc)")

    starter = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from portal.service_process import ServiceProcess\n"
         f"service = ServiceProcess(Path({str(sample_site)!r}))\n"
         "print(service.process.pid, service.url, flush=True)\ntime.sleep(120)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    pid, url = starter.stdout.readline().split()
    assert requests.get(url + "/api/status", timeout=10).status_code == 200
    starter.kill()  # SIGKILL: no clean-up of its own
    starter.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":  # dead, not yet reaped
                break
        except FileNotFoundError:
            break
        time.sleep(0.1)
    else:
        os.kill(int(pid), 9)
        raise AssertionError("the service outlived the process that started it")
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/api/status", timeout=5)
