"""A build interrupted at any moment changes nothing a later build trusts: the edit it was
publishing is published by the next successful build, and findable by search."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from portal.search.request import SearchRequest
from portal.search.searcher import Searcher
from tests.conftest import ROOT, build, write_article


def _search(site, q):
    return [hit.url for hit in Searcher(site).search(SearchRequest(q=q, limit=50)).results]


def _interrupted(where, signal_name, content, out, cache):
    command = [sys.executable, "-m", "tests.interrupting", where, signal_name,
               str(content), "-s", "pelicanconf.py", "-o", str(out), "-q", "--cache-path", str(cache)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


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
    assert build(content, out, cache).returncode == 0
    return content, out, cache


MOMENTS = [
    "search_index:start:after",  # the index child is running
    "search_index:finish:after",  # the index child has finished, nothing swapped yet
    "portal.build:swap_in",
]


@pytest.mark.parametrize("signal_name", ["SIGKILL"])
@pytest.mark.parametrize("where", MOMENTS)
def test_edit_is_published_after_an_interrupted_build(site, where, signal_name):
    content, out, cache = site
    manifest = (out / "search-index" / "manifest.json").read_bytes()
    _edit(content / "a.md", "Bàn về xe máy điện.")
    result = _interrupted(where, signal_name, content, out, cache)
    assert result.returncode != 0, result.stderr
    # the live site and its index are as they were
    assert (out / "search-index" / "manifest.json").read_bytes() == manifest
    assert _search(out, "xe may dien") == []
    assert json.loads(manifest)["documents"]
    # the next build publishes the edit, in the pages and in the index
    result = build(content, out, cache)
    assert result.returncode == 0, result.stderr
    assert _search(out, "xe may dien") == ["2024/hoi-nghi-ve-giao-thong/"]
    assert "xe máy điện" in (out / "2024" / "hoi-nghi-ve-giao-thong" / "index.html").read_text(encoding="utf-8")
