"""The service holds under load and abuse: idle connections cannot lock readers out, idle ones
are closed, the health check does not wait behind searches, bad parameters are a 400."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from portal.service_process import ServiceProcess


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
