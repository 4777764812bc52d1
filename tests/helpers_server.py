"""Shared by the search tests: build a site with the project's settings, send raw HTTP requests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

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
