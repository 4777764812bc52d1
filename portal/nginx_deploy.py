"""The README's nginx set-up, run: Debian's nginx with ``deploy/nginx.conf`` unchanged in front of a
site and search service processes, on a free port with its own prefix folder.

Used by ``tests/test_nginx_deploy.py`` and by ``bench search`` (queries per second with several
service processes). nginx never runs as root: when the caller is root, its master process runs
as ``nobody`` (the prefix folder is given to that user).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONFIG = ROOT / "deploy" / "nginx.conf"

MAIN_CONF = """\
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {access_log};
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    include {config};
}}
"""


def available() -> bool:
    """Whether nginx is installed (``.ci/run`` installs it; ``apt-get install nginx``)."""
    return os.access(NGINX, os.X_OK)


class Nginx:
    """nginx with ``deploy/nginx.conf`` for ``site`` and the service processes at ``upstreams``
    (ports on 127.0.0.1), answering at ``self.url`` once the constructor returns."""

    def __init__(self, prefix: Path, site: Path, port: int, upstreams: list[int], access_log: bool = True):
        self.prefix, self.url = prefix, f"http://127.0.0.1:{port}"
        (prefix / "antq").mkdir(parents=True)
        (prefix / "tmp").mkdir()
        (prefix / "nginx.conf").write_text(MAIN_CONF.format(
            prefix=prefix, config=CONFIG, access_log=f"{prefix}/access.log" if access_log else "off"),
            encoding="utf-8")
        # the two site-specific files of the README
        (prefix / "antq" / "site.conf").write_text(
            f"listen 127.0.0.1:{port};\nserver_name localhost;\nroot {site};\n", encoding="utf-8")
        (prefix / "antq" / "search.conf").write_text(
            "".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n" for p in upstreams), encoding="utf-8")
        options = {}
        if os.geteuid() == 0:  # never as root: the master itself runs as nobody
            nobody = pwd.getpwnam("nobody")
            for path in (prefix, *prefix.rglob("*")):
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
            options = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log"),
                   "-g", "daemon off;"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **options)
        deadline = time.monotonic() + 20
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx stopped: {self.process.stderr.read().decode()} {self.log()}")
            try:
                requests.head(self.url + "/", timeout=1)
                return
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"nginx did not answer: {self.log()}") from None
                time.sleep(0.05)

    def log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stderr.close()
