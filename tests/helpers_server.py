"""Shared by the search tests: build the sample site and run the real service on it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PELICAN = str(Path(sys.executable).with_name("pelican"))


def build_site(out: Path, cache: Path, content: Path | None = None) -> Path:
    """Build ``content`` (default: the sample content) into ``out`` with the project's settings."""
    command = [PELICAN, str(content or ROOT / "content"), "-s", "pelicanconf.py", "-o", str(out),
               "--cache-path", str(cache), "-q"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (out / "search-index" / "manifest.json").is_file()
    return out


def copy_content(target: Path) -> Path:
    shutil.copytree(ROOT / "content", target)
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``python -m portal serve`` in a subprocess, on a free port."""

    def __init__(self, site: Path, log: Path, threads: int = 4, command=None, env: dict | None = None):
        """``command(port)`` replaces ``python -m portal serve`` (e.g. waitress-serve)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self._log = open(log, "wb")  # noqa: SIM115 (closed in stop)
        if command is None:
            argv = [sys.executable, "-m", "portal", "serve", "--site", str(site), "--port", str(self.port),
                    "--threads", str(threads)]
        else:
            argv = command(self.port)
        self.process = subprocess.Popen(argv, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 20
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the service stopped: {self.log()}")
            try:
                requests.head(self.url + "/", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the service did not answer: {self.log()}") from None
                time.sleep(0.05)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def raw_get(port: int, target: str, method: str = "GET") -> tuple[int, bytes]:
    """Send ``target`` exactly as given (no client-side normalisation of "..", "%2e" or "\\")."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, body
