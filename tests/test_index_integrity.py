"""The index verifies itself: checksums recorded at write time, a damaged file never reused by
a build (its articles are indexed again), a damaged index refused by the service (503, not 500)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess

import pytest
import requests

from portal.search import integrity
from portal.search.indexer import read_manifest, write_index
from portal.search.request import SearchRequest
from portal.search.schema import SearchDocument
from portal.search.searcher import Searcher
from portal.service_process import ServiceProcess
from tests.conftest import PELICAN, ROOT, build
from tests.helpers_server import copy_content

JUNK = bytes(range(256)) * 800  # 200 KB


def _doc(n: int, text: str = "") -> SearchDocument:
    return SearchDocument(url=f"{n}/", title=f"Bài số {n}", date=dt.datetime(2020, 1, 1 + n % 28),
                          text=text or f"Nội dung riêng chuoi{n} về an ninh trật tự.")


def _damage(path, offset: int | None = None) -> None:
    """200 KB of junk written over the file from its middle (as a bad copy or disk would)."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 2 if offset is None else offset)
        handle.write(JUNK)


def _segments(index) -> list:
    return sorted(p for p in index.iterdir() if p.suffix == ".seg")


def _found(site, q: str) -> list[str]:
    return [hit.url for hit in Searcher(site).search(SearchRequest(q=q, limit=100)).results]


def test_manifest_records_every_index_file(tmp_path):
    index = tmp_path / "search-index"
    write_index([_doc(n) for n in range(3)], index)
    files = json.loads((index / "manifest.json").read_text(encoding="utf-8"))["files"]
    on_disk = {p.name for p in index.iterdir() if integrity.is_index_file(p.name)}
    assert set(files) == on_disk and any(name.endswith(".toc") for name in files)
    for name, item in files.items():
        assert item == {"size": (index / name).stat().st_size, "crc32": integrity.crc32(index / name)}
    assert integrity.damaged(index, files) == []
    _damage(_segments(index)[0])
    assert integrity.damaged(index, files) == [_segments(index)[0].name]


def test_files_found_good_are_not_read_again_until_written(tmp_path, monkeypatch):
    """The service remembers the files it verified: after a rebuild it reads only new files
    (the reused ones are the same links); a write into a file makes it read again."""
    index = tmp_path / "search-index"
    write_index([_doc(n) for n in range(3)], index)
    files, verified = read_manifest(index)["files"], {}
    assert integrity.damaged(index, files, verified) == [] and set(verified) == set(files)
    reads = []
    real = integrity.crc32
    monkeypatch.setattr(integrity, "crc32", lambda path: reads.append(path) or real(path))
    assert integrity.damaged(index, files, verified) == [] and reads == []
    segment = _segments(index)[0]
    with open(segment, "r+b") as handle:  # same size: only the checksum can tell
        handle.seek(100)
        handle.write(b"\xff" * 64)
    assert integrity.damaged(index, files, verified) == [segment.name] and len(reads) == 1


def test_damaged_segment_is_not_reused_and_its_documents_are_indexed_again(tmp_path):
    site = tmp_path
    index = site / "search-index"
    docs = [_doc(n) for n in range(12)]
    write_index(docs[:10], index)
    write_index(docs, index)  # a second, small segment beside the first
    first, second = sorted(_segments(index), key=lambda p: p.stat().st_size, reverse=True)
    kept = first.stat().st_ino

    _damage(second, offset=0)
    live = second.stat().st_ino
    report = write_index(docs, index)
    assert report.damaged == [second.name] and not report.full
    assert report.added == 2 and report.unchanged == 10  # only what the damaged segment held
    assert all(p.stat().st_ino != live for p in index.iterdir())  # the damaged file is not linked
    assert any(p.stat().st_ino == kept for p in index.iterdir())  # the good one is
    assert integrity.damaged(index, read_manifest(index)["files"]) == []
    for n in range(12):
        assert _found(site, f"chuoi{n}") == [f"{n}/"]

    _damage(max(_segments(index), key=lambda p: p.stat().st_size))  # the big one now
    report = write_index(docs, index)
    assert report.damaged and report.unchanged < 10
    for n in range(12):
        assert _found(site, f"chuoi{n}") == [f"{n}/"]


def test_damaged_table_of_contents_means_a_full_index(tmp_path):
    index = tmp_path / "search-index"
    docs = [_doc(n) for n in range(4)]
    write_index(docs, index)
    toc = next(index.glob("_MAIN_*.toc"))
    toc.write_bytes(toc.read_bytes()[:-7] + b"garbage")
    report = write_index(docs, index)
    assert report.full and report.damaged == [toc.name]
    assert _found(tmp_path, "chuoi3") == ["3/"]


def test_manifest_is_written_as_a_new_file(tmp_path):
    """The previous manifest (which the live site may share through a link) is never written to."""
    index = tmp_path / "search-index"
    write_index([_doc(1)], index)
    keep = tmp_path / "live-manifest.json"
    os.link(index / "manifest.json", keep)
    before = keep.read_bytes()
    write_index([_doc(1), _doc(2)], index)
    assert keep.read_bytes() == before
    assert (index / "manifest.json").stat().st_ino != keep.stat().st_ino


@pytest.mark.parametrize("text", ["[]", '{"schema": 4, "documents": [], "files": {}}', '{"files": 3}', "null"])
def test_odd_manifest_means_a_full_index(tmp_path, text):
    index = tmp_path / "search-index"
    write_index([_doc(1)], index)
    (index / "manifest.json").write_text(text, encoding="utf-8")
    assert read_manifest(index) is None
    assert write_index([_doc(1)], index).full


def test_build_reindexes_a_damaged_segment_with_one_warning(tmp_path):
    content, out, cache = copy_content(tmp_path / "content"), tmp_path / "out", tmp_path / "cache"
    assert build(content, out, cache).returncode == 0
    segment = _segments(out / "search-index")[0]
    _damage(segment)
    command = [PELICAN, str(content), "-s", "pelicanconf.py", "-o", str(out), "--cache-path", str(cache)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)  # not -q
    assert result.returncode == 0, result.stderr
    warnings = [line for line in (result.stdout + result.stderr).splitlines() if "tổng kiểm" in line]
    assert len(warnings) == 1 and segment.name in warnings[0]
    index = out / "search-index"
    assert integrity.damaged(index, read_manifest(index)["files"]) == []
    assert len(_found(out, "an ninh")) == 5


# -- the service ---------------------------------------------------------------------------

@pytest.fixture()
def damaged_site(tmp_path, sample_site):
    site = tmp_path / "site"
    shutil.copytree(sample_site, site)
    _damage(_segments(site / "search-index")[0])
    return site


def _service(site, tmp_path):
    return ServiceProcess(site, log=tmp_path / "service.log", threads=2)


def test_service_refuses_a_damaged_index(damaged_site, tmp_path):
    service = _service(damaged_site, tmp_path)
    try:
        status = requests.get(service.url + "/api/status", timeout=10)
        assert status.status_code == 503 and status.json()["ready"] is False
        assert "hỏng" in status.json()["error"]
        for q in ("an ninh", "ANTQ", "cao bang", "hoi nghi tong ket", "x"):
            api = requests.get(service.url + "/api/search", params={"q": q}, timeout=10)
            assert api.status_code == 503, (q, api.text)
            assert api.headers["Content-Type"].startswith("application/json") and "hỏng" in api.json()["error"]
            page = requests.get(service.url + "/tim-kiem/", params={"q": q}, timeout=10)
            assert page.status_code == 503 and "text/html" in page.headers["Content-Type"]
            assert "tạm thời chưa sẵn sàng" in page.text
        assert requests.get(service.url + "/", timeout=10).status_code == 200  # the static site stays up
        assert "Traceback" not in service.log()
    finally:
        service.stop()


def test_service_notices_damage_after_it_opened_the_index(tmp_path, sample_site):
    site = tmp_path / "site"
    shutil.copytree(sample_site, site)
    service = _service(site, tmp_path)
    try:
        assert requests.get(service.url + "/api/search", params={"q": "an ninh"}, timeout=10).status_code == 200
        _damage(_segments(site / "search-index")[0])
        codes = {requests.get(service.url + "/api/search", params={"q": q}, timeout=10).status_code
                 for q in ("an ninh", "ANTQ", "cao bang", "tong ket")}
        assert codes == {503}
        assert requests.get(service.url + "/api/status", timeout=10).json()["ready"] is False
        # a build writes a good index: the service answers again, without a restart
        result = build(ROOT / "content", site, tmp_path / "cache")
        assert result.returncode == 0, result.stderr
        answer = requests.get(service.url + "/api/search", params={"q": "an ninh"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["total"] == 5
    finally:
        service.stop()
