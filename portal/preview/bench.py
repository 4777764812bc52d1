"""``bench build``'s preview figures: from saving an edit to the rebuilt page, over HTTP.

Runs ``python -m portal preview`` on the benchmark's content, waits for its first build,
then for each run saves an edit of one article (the whole file at once, as editors' programs
do) and times until the preview serves the page with the new sentence. It also reports how
long the full rebuild the preview runs afterwards (search index, feeds) took.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import requests

from portal.service_process import ServiceProcess


def _wait(url: str, since: str, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = requests.get(url + "/__preview/wait", params={"since": since}, timeout=60).json()
        if state["generation"] != since:
            return state
    raise SystemExit("bench: the preview did not rebuild")


def _settle(url: str, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = requests.get(url + "/__preview/state", timeout=10).json()
        if not state["building"] and not state["behind"] and state["ok"] is not None:
            return state
        time.sleep(0.05)
    raise SystemExit("bench: the preview did not settle")


def measure(content: Path, output: Path, paths: list[Path], repeat: int, urls: list[str]) -> dict:
    """Median seconds from saving an edit to the page served, and of the full rebuild after it."""
    log = output.parent / "preview.log"
    preview = ServiceProcess(content, log, timeout=600, command=lambda port: [
        sys.executable, "-m", "portal", "preview", "--content", str(content), "--output", str(output),
        "--port", str(port)])
    try:
        _settle(preview.url)
        edits, catch_ups = [], []
        for attempt in range(repeat):
            index = (attempt * 97 + 13) % len(paths)
            path, url = paths[index], urls[index]
            sentence = f"Câu sửa số {attempt} trong bản xem trước."
            text = path.read_text(encoding="utf-8") + f"\n{sentence}\n"
            scratch = output.parent / "saving.md"
            scratch.write_text(text, encoding="utf-8")
            since = requests.get(preview.url + "/__preview/state", timeout=10).json()["generation"]
            start = time.perf_counter()
            os.replace(scratch, path)
            _wait(preview.url, since)
            page = requests.get(preview.url + url, timeout=60).text
            edits.append(time.perf_counter() - start)
            if sentence not in page:
                raise SystemExit(f"bench: the preview's page {url} lacks the edit")
            state = _settle(preview.url)
            catch_ups.append(state["seconds"])
        return {"preview_edit": statistics.median(edits), "preview_full_rebuild": statistics.median(catch_ups)}
    finally:
        preview.stop()
