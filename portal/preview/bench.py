"""``bench build``'s preview figures: from saving an edit to the rebuilt page, over HTTP.

Runs ``python -m portal preview`` on the benchmark's content, waits for its first build,
then for each run saves an edit of one article (the whole file at once, as editors' programs
do) and times until the preview serves the page with the new sentence; then, once the full
rebuild that follows has begun (search index, feeds), saves another edit and times it too
(the save stops that build). It also reports how long the full rebuild took, the first
build and the build worker's peak memory.
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


def _settle(url: str, timeout: float = 3600) -> dict:
    """The state once the preview has built everything (a first build of 35,000 articles on a
    busy machine takes many minutes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = requests.get(url + "/__preview/state", timeout=10).json()
        if not state["building"] and not state["behind"] and state["ok"] is not None:
            return state
        time.sleep(0.05)
    raise SystemExit("bench: the preview did not settle")


def _catching_up(url: str, timeout: float = 60) -> None:
    """Wait until the full rebuild after a quick one has begun (the editor's pause)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if requests.get(url + "/__preview/state", timeout=10).json()["building"]:
            return
        time.sleep(0.01)
    raise SystemExit("bench: the preview did not start its full rebuild")


def _edit(url: str, path: Path, page_url: str, sentence: str, scratch: Path) -> float:
    """Seconds from saving ``sentence`` appended to ``path`` to the preview serving it."""
    scratch.write_text(path.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")
    since = requests.get(url + "/__preview/state", timeout=10).json()["generation"]
    start = time.perf_counter()
    os.replace(scratch, path)  # the whole file at once, as editors' programs save
    _wait(url, since)
    page = requests.get(url + page_url, timeout=60).text
    seconds = time.perf_counter() - start
    if sentence not in page:
        raise SystemExit(f"bench: the preview's page {page_url} lacks the edit")
    return seconds


def measure(content: Path, output: Path, paths: list[Path], repeat: int, urls: list[str]) -> dict:
    """Median seconds from saving an edit to the page served, the same for a save while the
    full rebuild after it runs, and of that full rebuild; the first build and the worker's
    peak memory."""
    log = output.parent / "preview.log"
    scratch = output.parent / "saving.md"
    preview = ServiceProcess(content, log, timeout=600, command=lambda port: [
        sys.executable, "-m", "portal", "preview", "--content", str(content), "--output", str(output),
        "--port", str(port)])
    try:
        first = _settle(preview.url)
        edits, during, catch_ups, peaks = [], [], [], [first["peak_mb"]]
        for attempt in range(repeat):
            index = (attempt * 97 + 13) % len(paths)
            edits.append(_edit(preview.url, paths[index], urls[index], f"Câu sửa số {attempt} trong bản xem trước.",
                               scratch))
            _catching_up(preview.url)
            during.append(_edit(preview.url, paths[index], urls[index],
                                f"Câu sửa số {attempt} khi trang đang xây dựng lại.", scratch))
            state = _settle(preview.url)
            catch_ups.append(state["seconds"])
            peaks.append(state["peak_mb"])
        return {"preview_first_build": first["seconds"], "preview_edit": statistics.median(edits),
                "preview_edit_during_rebuild": statistics.median(during),
                "preview_full_rebuild": statistics.median(catch_ups), "preview_peak_mb": max(peaks)}
    finally:
        preview.stop()
