"""Run the search service (``python -m portal serve``) as a child process on a free port.

Used by ``bench search`` and by the tests, which talk to the real service over HTTP. The child
gets SIGTERM when the process that started it ends, however it ends: a killed test run or
bench leaves no service (or preview, which then stops its build worker) behind.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
# run before the command itself (``python -c``, then exec): PR_SET_PDEATHSIG is kept across exec
_DIE_WITH_PARENT = ("import os, signal, sys\nfrom portal.oscalls import die_with_parent\n"
                    "die_with_parent(int(sys.argv[1]), signal.SIGTERM)\nos.execv(sys.argv[2], sys.argv[2:])")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServiceProcess:
    """The service on ``site``, answering at ``self.url`` once the constructor returns."""

    def __init__(self, site: Path, log: Path | None = None, threads: int = 4, command=None,
                 env: dict | None = None, timeout: float = 30, options: list[str] = ()):
        """``log``: where its output goes (default: nowhere); ``command(port)`` replaces
        ``python -m portal serve`` (e.g. waitress-serve); ``options``: more arguments of
        ``serve`` (``--idle-timeout 2``)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self._log = open(log, "wb") if log else None  # noqa: SIM115 (closed in stop)
        if command is None:
            argv = [sys.executable, "-m", "portal", "serve", "--site", str(site), "--port", str(self.port),
                    "--threads", str(threads), *options]
        else:
            argv = command(self.port)
        output = self._log or subprocess.DEVNULL
        argv = [sys.executable, "-c", _DIE_WITH_PARENT, str(os.getpid()), *argv]
        self.process = subprocess.Popen(argv, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"the service stopped: {self.log()}")
            try:
                requests.head(self.url + "/", timeout=1)
                break
            except (requests.ConnectionError, requests.Timeout):  # not listening, or busy starting
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the service did not answer: {self.log()}") from None
                time.sleep(0.05)

    def log(self) -> str:
        """What the service printed so far (empty without a log file)."""
        if self._log is None:
            return ""
        if not self._log.closed:
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
        if self._log is not None and not self._log.closed:
            self._log.close()
