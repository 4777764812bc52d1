"""Crash safety of the build: one build at a time, leftovers of killed builds removed, signals
and a full disk reported in one line with the live site unchanged."""

from __future__ import annotations

import fcntl
import json
import os
import pickle
import shlex
import shutil
import subprocess
import sys

import pytest

from tests.conftest import PELICAN, ROOT, build, write_article


def _site(tmp_path):
    content, out, cache = tmp_path / "content", tmp_path / "out", tmp_path / "cache"
    write_article(content, "a.md", "Hội nghị về giao thông", "2024-01-05", "Hà Nội", body="Bàn về an toàn giao thông.")
    write_article(content, "b.md", "Diễn tập phòng cháy", "2024-02-05", "Hà Nội", body="Diễn tập phòng cháy.")
    return content, out, cache


def _live(out):
    return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _build_loud(content, out, cache):
    """A build as ``make html`` runs it (warnings shown; the tests' builds are ``-q``), on a wide
    terminal (Pelican's log handler wraps long lines at the terminal's width)."""
    return subprocess.run([PELICAN, str(content), "-s", "pelicanconf.py", "-o", str(out), "--cache-path", str(cache)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "1000"})


def _lines(text):
    return [line for line in text.splitlines() if line.strip()]


def test_second_build_of_the_same_output_stops_with_a_message(tmp_path):
    content, out, cache = _site(tmp_path)
    assert build(content, out, cache).returncode == 0
    before = _live(out)
    with open(tmp_path / "out.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as a running build holds it
        result = build(content, out, cache)
    assert result.returncode == 1
    assert _lines(result.stderr) == [line for line in _lines(result.stderr) if "một lần xây dựng khác" in line]
    assert len(_lines(result.stderr)) == 1 and "Traceback" not in result.stdout + result.stderr
    assert _live(out) == before
    assert build(content, out, cache).returncode == 0  # the lock goes with the build that held it


def test_leftovers_of_killed_builds_are_removed(tmp_path):
    content, out, cache = _site(tmp_path)
    assert build(content, out, cache).returncode == 0
    for name in ("out.building-x1y2z3", "out.building-abcdef", "out.old-123456"):
        (tmp_path / name / "2024" / "bai").mkdir(parents=True)
        (tmp_path / name / "2024" / "bai" / "index.html").write_text("half", encoding="utf-8")
    (tmp_path / "outside.building-keep").mkdir()  # not ours
    assert build(content, out, cache).returncode == 0
    names = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out"))
    assert names == ["out", "out.lock", "out.spare", "outside.building-keep"]


@pytest.mark.parametrize("signal_name, code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_signal_stops_the_build_with_one_line(tmp_path, signal_name, code):
    content, out, cache = _site(tmp_path)
    for _ in range(2):
        assert build(content, out, cache).returncode == 0
    before = _live(out)
    write_article(content, "c.md", "Tuần tra biên giới", "2024-03-05", "Lạng Sơn")
    command = [sys.executable, "-m", "tests.interrupting", "search_index:index_job.finish:after", signal_name,
               str(content), "-s", "pelicanconf.py", "-o", str(out), "-q", "--cache-path", str(cache)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == code
    assert _lines(result.stderr) == [f"Đã dừng xây dựng trang ({signal_name}): không có gì thay đổi, "
                                     f"trang web vẫn như trước ({out})."]
    assert "Traceback" not in result.stdout
    assert _live(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out")) == ["out", "out.lock"]


def _can_mount_tmpfs(tmp_path) -> bool:
    if not shutil.which("unshare"):
        return False
    (tmp_path / "probe").mkdir()
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {tmp_path / 'probe'}"],
                           capture_output=True)
    return probe.returncode == 0


def test_full_disk_is_one_line_and_leaves_nothing(tmp_path):
    """On a small tmpfs (a user and mount namespace: ``unshare -rm``), a build that fills the
    disk fails with one line, keeps the live site and deletes its own files."""
    if not _can_mount_tmpfs(tmp_path):
        pytest.skip("cannot mount a tmpfs here (unshare -rm not permitted)")
    content, _out, cache = _site(tmp_path)
    disk = tmp_path / "disk"
    disk.mkdir()
    big = content / "big2.md"
    pelican = f"{shlex.quote(PELICAN)} {content} -s pelicanconf.py -o {disk}/out -q --cache-path {cache}"
    script = f"""
        mount -t tmpfs -o size=2500k tmpfs {disk} || exit 99
        {pelican} >/dev/null 2>&1 || exit 98
        cp -r {disk}/out {tmp_path}/before
        {sys.executable} -c 'import sys; from tests.conftest import write_article as w; from pathlib import Path; \
[w(Path(sys.argv[1]), f"big{{i}}.md", f"Bài dài {{i}}", "2024-04-05", "Hà Nội", body=f"Đoạn số {{i}}. " * 25000) \
for i in range(3)]' {content}
        {pelican} >{tmp_path}/stdout 2>{tmp_path}/stderr
        echo $? >{tmp_path}/rc
        ls -A {disk} >{tmp_path}/listing
        cp -r {disk}/out {tmp_path}/after
    """
    setup = subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=ROOT, capture_output=True, text=True,
                           timeout=600)
    assert setup.returncode == 0, setup.stderr
    assert big.exists()
    rc = int((tmp_path / "rc").read_text())
    stderr = (tmp_path / "stderr").read_text(encoding="utf-8")
    assert rc == 1, stderr
    assert len(_lines(stderr)) == 1 and "hết chỗ trên đĩa" in stderr, stderr
    assert (tmp_path / "listing").read_text().split() == ["out", "out.lock"]
    assert _live(tmp_path / "after") == _live(tmp_path / "before")


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],  # a build killed while saving it
    lambda data: b"\x00garbage\xff" * 100,
    lambda data: pickle.dumps(["not", "a", "cache"]),
    lambda data: pickle.dumps({"a.md": "no stamp"}),
], ids=["truncated", "garbage", "list", "entries"])
def test_unreadable_pelican_cache_is_one_warning_and_a_cold_build(tmp_path, damage):
    content, out, cache = _site(tmp_path)
    assert build(content, out, cache).returncode == 0
    path = cache / "ArticlesGenerator"
    path.write_bytes(damage(path.read_bytes()))
    write_article(content, "c.md", "Tuần tra biên giới", "2024-03-05", "Lạng Sơn")
    result = _build_loud(content, out, cache)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert [line for line in _lines(output) if "bộ nhớ đệm" in line and "ArticlesGenerator" in line]
    assert (out / "2024" / "tuan-tra-bien-gioi" / "index.html").is_file()
    assert (out / "2024" / "hoi-nghi-ve-giao-thong" / "index.html").is_file()
    assert pickle.loads(path.read_bytes())  # saved whole again
    assert build(content, out, cache).returncode == 0


@pytest.mark.parametrize("text", ["[]", "{broken", '{"site": 1, "pages": []}', "null"])
def test_unreadable_render_manifest_is_one_warning_and_a_cold_build(tmp_path, text):
    content, out, cache = _site(tmp_path)
    assert build(content, out, cache).returncode == 0
    (out / ".render-manifest.json").write_text(text, encoding="utf-8")
    result = _build_loud(content, out, cache)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert len([line for line in _lines(output) if ".render-manifest.json" in line]) == 1
    assert json.loads((out / ".render-manifest.json").read_text(encoding="utf-8"))["pages"]


@pytest.mark.parametrize("text", ["[]", "{broken", "null"])
def test_unreadable_index_manifest_means_a_full_index(tmp_path, text):
    content, out, cache = _site(tmp_path)
    assert build(content, out, cache).returncode == 0
    (out / "search-index" / "manifest.json").write_text(text, encoding="utf-8")
    result = build(content, out, cache)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert len([line for line in _lines(result.stderr) if "manifest.json" in line]) == 1, result.stderr
    manifest = json.loads((out / "search-index" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["documents"]) == ["2024/dien-tap-phong-chay/", "2024/hoi-nghi-ve-giao-thong/"]
