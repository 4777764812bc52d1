"""A build interrupted at any moment changes nothing a later build trusts: the edit it was
publishing is published by the next successful build, and findable by search; nothing of the
killed build is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from portal.search.request import SearchRequest
from portal.search.searcher import Searcher
from tests.conftest import PELICAN, ROOT, build, write_article


def _search(site, q):
    return [hit.url for hit in Searcher(site).search(SearchRequest(q=q, limit=50)).results]


def _arguments(content, out, cache):
    return [str(content), "-s", "pelicanconf.py", "-o", str(out), "-q", "--cache-path", str(cache)]


def _interrupted(where, signal_name, content, out, cache, env=None):
    command = [sys.executable, "-m", "tests.interrupting", where, signal_name, *_arguments(content, out, cache)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def _edit(path, body):
    text = path.read_text(encoding="utf-8")
    path.write_text(text.split("\n\n", 1)[0] + "\n\n" + body + "\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


@pytest.fixture
def site(tmp_path):
    content, out, cache = tmp_path / "content", tmp_path / "out", tmp_path / "cache"
    write_article(content, "a.md", "Hội nghị về giao thông", "2024-01-05", "Hà Nội", body="Bàn về an toàn giao thông.")
    write_article(content, "b.md", "Diễn tập phòng cháy", "2024-02-05", "Hà Nội", body="Diễn tập phòng cháy.")
    for _ in range(2):  # the second build has a spare and an index to reuse
        assert build(content, out, cache).returncode == 0
    return content, out, cache


def _live(out):
    return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _next_build_publishes_the_edit(content, out, cache):
    result = build(content, out, cache)
    assert result.returncode == 0, result.stderr
    assert _search(out, "xe may dien") == ["2024/hoi-nghi-ve-giao-thong/"]
    assert "xe máy điện" in (out / "2024" / "hoi-nghi-ve-giao-thong" / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith("out")) == ["out", "out.lock", "out.spare"]


MOMENTS = [
    "search_index:index_job.start:after",  # the index child is running
    "search_index:index_job.finish:after",  # the index child has finished, nothing swapped yet
    "render_cache:render_cache.save:after",  # every page and the render manifest are written
    "portal.build:swap_in",
]


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGINT"])
@pytest.mark.parametrize("where", MOMENTS)
def test_edit_is_published_after_an_interrupted_build(site, where, signal_name):
    content, out, cache = site
    before = _live(out)
    _edit(content / "a.md", "Bàn về xe máy điện.")
    result = _interrupted(where, signal_name, content, out, cache)
    assert result.returncode == 128 + getattr(signal, signal_name) or result.returncode == -signal.SIGKILL
    assert _live(out) == before  # the live site and its index are as they were
    assert _search(out, "xe may dien") == []
    _next_build_publishes_the_edit(content, out, cache)


def test_killed_between_the_two_renames_of_a_swap(site):
    """Where the file system cannot exchange two folders, a build killed between the two
    renames leaves no output; the next build puts the previous site back first."""
    content, out, cache = site
    _edit(content / "a.md", "Bàn về xe máy điện.")
    result = _interrupted("portal.build:set_aside:after", "SIGKILL", content, out, cache,
                          env={"INTERRUPTING_NO_EXCHANGE": "1"})
    assert result.returncode == -signal.SIGKILL
    assert not out.exists()
    _next_build_publishes_the_edit(content, out, cache)


def test_killed_at_many_moments(site):
    """kill -9 at growing delays into the build: every time, the next build is right."""
    content, out, cache = site
    started = time.monotonic()
    assert build(content, out, cache).returncode == 0
    length = time.monotonic() - started
    for step in range(6):
        _edit(content / "a.md", f"Bàn về xe máy điện, lần {step}.")
        process = subprocess.Popen([PELICAN, *_arguments(content, out, cache)], cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(length * step / 6)
        process.kill()
        process.wait()
        assert (out / "index.html").is_file()
    _next_build_publishes_the_edit(content, out, cache)
